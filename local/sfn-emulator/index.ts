/**
 * The Step Functions emulator: StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory and
 * StopExecution over
 * JSON 1.0 (as @aws-sdk/client-sfn sends them), running real ASL definitions with aws-local-stepfunctions.
 * Every Task state runs a local handler keyed by state name; a definition with a Task state that has no
 * handler is refused at start (the library would otherwise call real Lambda).
 */
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  AwsServiceError,
  decodeToken,
  encodeToken,
  integerField,
  type JsonRequest,
  startAwsJsonServer,
  stringField,
} from '../aws-json-server.ts';
import { mapRunHandler, withDistributedMapsAsTasks } from './distributed-map.ts';
import { ExecutionHistory } from './history.ts';

/** Identifies the execution a handler runs in. */
export interface ExecutionInfo {
  name: string;
  arn: string;
}

/** A local handler of one Task state: receives the state's effective input. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalStateMachine {
  name: string;
  definition: StateMachineDefinition;
  /** Called once per execution: the handlers (by state name) of that execution. */
  handlers: (execution: ExecutionInfo) => Record<string, TaskHandler>;
  /** DefinitionSubstitutions that are not function ARNs (e.g. `OutputBucketName`). */
  substitutions?: Record<string, string>;
  /** Milliseconds between retries, by state name (shortens minutes of backoff locally). */
  retryIntervalOverrides?: Record<string, number | number[]>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution as the emulator keeps it. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** Counted from the interpreter's events, child executions of Distributed Maps included. */
  stats: ExecutionStats;
  /** The execution's history, as GetExecutionHistory returns it. */
  history: ExecutionHistory;
}

/** What an execution cost, counted as it ran. */
export interface ExecutionStats {
  /** States entered plus retries (what AWS bills for STANDARD), in the execution and its children. */
  transitions: number;
  /** Of which in Distributed Map child executions. */
  childTransitions: number;
  childExecutions: number;
  /** The largest state input or output (bytes of JSON) at any transition, children included. */
  maxPayloadBytes: number;
  /** Most child executions running at once. */
  maxConcurrentChildren: number;
}

export interface SfnEmulator {
  endpoint: string;
  stateMachineArn(name: string): string;
  /** Every execution, oldest first. */
  executions(): ExecutionRecord[];
  /** Resolves with the record once the execution has a final status. */
  waitForExecution(executionArn: string): Promise<ExecutionRecord>;
  /** Aborts running executions and stops the server. */
  close(): Promise<void>;
}

const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;

/**
 * An execution name as AWS accepts it: 1-80 characters, no whitespace, brackets, wildcards, specials or
 * controls, and valid Unicode (no U+FFFE/U+FFFF noncharacters, no unpaired surrogates).
 */
function isValidName(name: string): boolean {
  return (
    NAME_PATTERN.test(name) &&
    name.isWellFormed() &&
    !/[\uFFFE\uFFFF]/u.test(name) &&
    ![...name].some((char) => {
      const code = char.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0x9f);
    })
  );
}

/** A history event without its input and output (GetExecutionHistory with includeExecutionData false). */
function withoutData(event: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (typeof value === 'object' && value !== null && key.endsWith('EventDetails')) {
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      copy[key] = rest;
    } else copy[key] = value;
  }
  return copy;
}

/** Starts the emulator on 127.0.0.1 with the given state machines. */
export async function startSfnEmulator(options: {
  region: string;
  account: string;
  stateMachines: LocalStateMachine[];
  port?: number;
  /** The S3 client Distributed Maps read items with and write results with (required when one has them). */
  s3?: S3Client;
}): Promise<SfnEmulator> {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
    // On older Node every Task would fail with a TypeError that a States.ALL catcher then swallows.
    throw new Error(`aws-local-stepfunctions needs Node >= 22 (this is ${process.versions.node})`);
  }
  type Maps = ReturnType<typeof withDistributedMapsAsTasks>['maps'];
  const machines = new Map<string, { machine: LocalStateMachine; interpreter: StateMachine; maps: Maps }>();
  const smArn = (name: string) => `arn:aws:states:${options.region}:${options.account}:stateMachine:${name}`;
  for (const machine of options.stateMachines) {
    const missing = taskStateNames(machine.definition).filter((state) => !(state in machine.handlers(probe)));
    if (missing.length > 0) {
      throw new Error(
        `state machine ${machine.name}: no local handler for Task state(s) ${missing.join(', ')}; it would call real AWS`,
      );
    }
    // Validated once, here: a broken definition fails the emulator's start, not each execution.
    const placeholders = withPlaceholderArns(
      machine.definition,
      options.region,
      options.account,
      machine.substitutions ?? {},
    );
    const { definition, maps } = withDistributedMapsAsTasks(
      placeholders,
      `arn:aws:lambda:${options.region}:${options.account}:function:LocalDistributedMap`,
    );
    if (maps.size > 0 && options.s3 === undefined) {
      throw new Error(`state machine ${machine.name} has a Distributed Map: give the emulator an S3 client`);
    }
    machines.set(smArn(machine.name), { machine, interpreter: new StateMachine(definition), maps });
  }
  const executions = new Map<string, ExecutionRecord>();
  const aborts = new Map<string, () => void>();
  /** Resolves with each execution's record once it reaches a final status. */
  const finishedBy = new Map<string, Promise<ExecutionRecord>>();

  function machineFor(request: JsonRequest): {
    arn: string;
    machine: LocalStateMachine;
    interpreter: StateMachine;
    maps: Maps;
  } {
    const arn = stringField(request, 'stateMachineArn', 'ValidationException');
    if (arn === undefined) throw new AwsServiceError('ValidationException', 'stateMachineArn is required');
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(arn)) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    }
    const found = machines.get(arn);
    if (found === undefined)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return { arn, ...found };
  }

  function executionFor(request: JsonRequest): ExecutionRecord {
    const arn = stringField(request, 'executionArn', 'ValidationException');
    if (arn === undefined) throw new AwsServiceError('ValidationException', 'executionArn is required');
    if (!/^arn:aws[a-z-]*:states:[^:]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn)) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    }
    const record = executions.get(arn);
    if (record === undefined)
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  function start(
    arn: string,
    { machine, interpreter, maps }: { machine: LocalStateMachine; interpreter: StateMachine; maps: Maps },
    name: string,
    inputText: string,
  ): ExecutionRecord {
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new AwsServiceError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: not valid JSON',
      );
    }
    const executionArn = `${arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = executions.get(executionArn);
    if (existing !== undefined) {
      if (existing.status === 'RUNNING' && existing.input === inputText) return existing;
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const startDate = new Date();
    const stats: ExecutionStats = {
      transitions: 0,
      childTransitions: 0,
      childExecutions: 0,
      maxPayloadBytes: 0,
      maxConcurrentChildren: 0,
    };
    const handlers: Record<string, TaskHandler> = { ...machine.handlers({ name, arn: executionArn }) };
    const childAborts = new Set<() => void>();
    for (const [stateName, state] of maps) {
      handlers[stateName] = mapRunHandler(stateName, state, {
        region: options.region,
        account: options.account,
        stateMachineName: machine.name,
        executionName: name,
        s3: options.s3 as S3Client,
        handlers,
        ...(machine.retryIntervalOverrides ? { retryIntervalOverrides: machine.retryIntervalOverrides } : {}),
        track(abort) {
          childAborts.add(abort);
          return () => childAborts.delete(abort);
        },
        onStats(mapStats) {
          stats.childExecutions += mapStats.items;
          stats.childTransitions += mapStats.childTransitions;
          stats.transitions += mapStats.childTransitions;
          stats.maxPayloadBytes = Math.max(stats.maxPayloadBytes, mapStats.maxChildPayloadBytes);
          stats.maxConcurrentChildren = Math.max(stats.maxConcurrentChildren, mapStats.maxRunning);
        },
      });
    }
    const run = interpreter.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        ...(machine.retryIntervalOverrides ? { retryIntervalOverrides: machine.retryIntervalOverrides } : {}),
      },
      context: {
        Execution: { Id: executionArn, Name: name, StartTime: startDate.toISOString(), RoleArn: '' },
        StateMachine: { Id: arn, Name: machine.name },
        State: { RetryCount: 0 },
      },
    });
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: arn,
      name,
      status: 'RUNNING',
      input: inputText,
      startDate,
      stats,
      history: new ExecutionHistory(),
    };
    // The interpreter's event log becomes the execution history (and is drained, so its buffer stays
    // small); transitions and payload sizes are counted on the way.
    void (async () => {
      for await (const event of run.eventLogs) {
        record.history.add(event);
        const typed = event as { type: string };
        if (typed.type === 'StateEntered' || typed.type === 'StateRetried') stats.transitions += 1;
        const withData = stateData(event);
        stats.maxPayloadBytes = Math.max(
          stats.maxPayloadBytes,
          jsonBytes(withData.input),
          jsonBytes(withData.output),
        );
      }
    })().catch(() => undefined);
    const finished = run.result.then(
      (output) => finish(record, 'SUCCEEDED', { output: JSON.stringify(output ?? null) }),
      (error: unknown) => finish(record, ...failureOf(error)),
    );
    executions.set(executionArn, record);
    aborts.set(executionArn, () => {
      for (const abort of childAborts) abort();
      run.abort();
    });
    finishedBy.set(executionArn, finished);
    return record;
  }

  function finish(
    record: ExecutionRecord,
    status: ExecutionStatus,
    details: { output?: string; error?: string; cause?: string },
  ): ExecutionRecord {
    aborts.delete(record.executionArn);
    if (record.status !== 'RUNNING') return record;
    record.status = status;
    record.stopDate = new Date();
    Object.assign(record, details);
    return record;
  }

  const seconds = (date: Date | undefined) => (date === undefined ? undefined : date.getTime() / 1000);

  const operations = {
    StartExecution(request: JsonRequest) {
      const { arn, ...found } = machineFor(request);
      const name = stringField(request, 'name', 'ValidationException') ?? randomUUID();
      if (!isValidName(name)) {
        throw new AwsServiceError(
          'InvalidName',
          `Invalid Name: '${name}' (1 to 80 characters, no whitespace, brackets, wildcards or special characters)`,
        );
      }
      const input = stringField(request, 'input', 'InvalidExecutionInput') ?? '{}';
      const record = start(arn, found, name, input);
      return { executionArn: record.executionArn, startDate: seconds(record.startDate) };
    },

    DescribeExecution(request: JsonRequest) {
      const record = executionFor(request);
      return {
        executionArn: record.executionArn,
        stateMachineArn: record.stateMachineArn,
        name: record.name,
        status: record.status,
        startDate: seconds(record.startDate),
        ...(record.stopDate ? { stopDate: seconds(record.stopDate) } : {}),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
        ...(record.error !== undefined ? { error: record.error } : {}),
        ...(record.cause !== undefined ? { cause: record.cause } : {}),
      };
    },

    ListExecutions(request: JsonRequest) {
      const { arn } = machineFor(request);
      const statusFilter = stringField(request, 'statusFilter', 'ValidationException');
      const maxResults =
        integerField(request, 'maxResults', { min: 0, max: 1000 }, 'ValidationException') || 100;
      const offset = decodeToken(stringField(request, 'nextToken', 'InvalidToken'), 'InvalidToken');
      const matching = [...executions.values()]
        .filter((record) => record.stateMachineArn === arn)
        .filter((record) => statusFilter === undefined || record.status === statusFilter)
        .reverse();
      const page = matching.slice(offset, offset + maxResults);
      return {
        executions: page.map((record) => ({
          executionArn: record.executionArn,
          stateMachineArn: record.stateMachineArn,
          name: record.name,
          status: record.status,
          startDate: seconds(record.startDate),
          ...(record.stopDate ? { stopDate: seconds(record.stopDate) } : {}),
        })),
        ...(offset + maxResults < matching.length ? { nextToken: encodeToken(offset + maxResults) } : {}),
      };
    },

    GetExecutionHistory(request: JsonRequest) {
      const record = executionFor(request);
      const maxResults =
        integerField(request, 'maxResults', { min: 0, max: 1000 }, 'ValidationException') || 100;
      const offset = decodeToken(stringField(request, 'nextToken', 'InvalidToken'), 'InvalidToken');
      const withData = request.includeExecutionData !== false;
      const all =
        request.reverseOrder === true ? [...record.history.events].reverse() : record.history.events;
      const page = all
        .slice(offset, offset + maxResults)
        .map((event) => (withData ? event : withoutData(event)));
      return {
        events: page,
        ...(offset + maxResults < all.length ? { nextToken: encodeToken(offset + maxResults) } : {}),
      };
    },

    StopExecution(request: JsonRequest) {
      const record = executionFor(request);
      if (record.status === 'RUNNING') {
        aborts.get(record.executionArn)?.();
        finish(record, 'ABORTED', {
          ...(typeof request.error === 'string' ? { error: request.error } : {}),
          ...(typeof request.cause === 'string' ? { cause: request.cause } : {}),
        });
      }
      return { stopDate: seconds(record.stopDate) };
    },
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    operations,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });

  return {
    endpoint: server.endpoint,
    stateMachineArn: smArn,
    executions: () => [...executions.values()],
    async waitForExecution(executionArn) {
      const record = executions.get(executionArn);
      if (record === undefined) throw new Error(`no execution ${executionArn}`);
      return finishedBy.get(executionArn) ?? record;
    },
    async close() {
      for (const [arn, abort] of aborts) {
        abort();
        const record = executions.get(arn);
        if (record) finish(record, 'ABORTED', { cause: 'the local Step Functions emulator was closed' });
      }
      await Promise.allSettled(finishedBy.values());
      await server.close();
    },
  };
}

/**
 * Replaces `${Name}` placeholders (the template's DefinitionSubstitutions): the given values first, the rest
 * with Lambda-shaped ARNs (every Task runs a local handler, so the ARN is never called, but the
 * interpreter validates it).
 */
function withPlaceholderArns(
  definition: StateMachineDefinition,
  region: string,
  account: string,
  substitutions: Record<string, string>,
): StateMachineDefinition {
  const text = JSON.stringify(definition).replace(
    /\$\{(\w+)\}/g,
    (_whole, name: string) => substitutions[name] ?? `arn:aws:lambda:${region}:${account}:function:${name}`,
  );
  return JSON.parse(text) as StateMachineDefinition;
}

function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

const probe: ExecutionInfo = { name: 'probe', arn: 'probe' };

/** The names of every Task state, nested Map and Parallel states included. */
export function taskStateNames(definition: { States: Record<string, unknown> }): string[] {
  const names: string[] = [];
  for (const [name, raw] of Object.entries(definition.States)) {
    const state = raw as {
      Type?: string;
      ItemProcessor?: { States: Record<string, unknown> };
      Iterator?: { States: Record<string, unknown> };
      Branches?: Array<{ States: Record<string, unknown> }>;
    };
    if (state.Type === 'Task') names.push(name);
    if (state.ItemProcessor) names.push(...taskStateNames(state.ItemProcessor));
    if (state.Iterator) names.push(...taskStateNames(state.Iterator));
    for (const branch of state.Branches ?? []) names.push(...taskStateNames(branch));
  }
  return names;
}

/** Maps the interpreter's rejection to a final status, error and cause. */
function failureOf(error: unknown): [ExecutionStatus, { error?: string; cause?: string }] {
  const failure = error as { name?: string; cause?: unknown; message?: string };
  if (failure.name === 'ExecutionAbortedError') return ['ABORTED', {}];
  if (failure.name === 'ExecutionTimeoutError') return ['TIMED_OUT', { error: 'States.Timeout' }];
  const inner = failure.cause instanceof Error ? failure.cause : (error as Error);
  return ['FAILED', { error: inner.name, cause: inner.message }];
}

/**
 * Wraps a handler the way Lambda reports a function error to Step Functions: the error keeps its
 * `name` (the Step Functions error), and its message becomes the JSON cause AWS gives
 * (`{"errorType","errorMessage","trace"}`), so a Catch sees the same Cause locally as on AWS.
 */
export function asLambdaTask(handler: TaskHandler): TaskHandler {
  return async (input) => {
    try {
      return await handler(input);
    } catch (error) {
      const original = error instanceof Error ? error : new Error(String(error));
      // Errors of the Lambda runtime itself (Sandbox.Timedout, Runtime.ExitError) carry no trace on AWS.
      const runtime = /^(Sandbox|Runtime)\./.test(original.name);
      const wrapped = new Error(
        JSON.stringify({
          errorType: original.name,
          errorMessage: original.message,
          ...(runtime ? {} : { trace: (original.stack ?? '').split('\n') }),
        }),
        { cause: original },
      );
      wrapped.name = original.name;
      throw wrapped;
    }
  };
}

/** The input and output an interpreter event carries (state events nest them under `state`). */
function stateData(event: unknown): { input?: unknown; output?: unknown } {
  const withState = event as {
    state?: { input?: unknown; output?: unknown };
    input?: unknown;
    output?: unknown;
  };
  return withState.state ?? withState;
}
