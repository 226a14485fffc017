/**
 * Distributed Map for the local Step Functions emulator. aws-local-stepfunctions runs only inline Maps, so
 * before a definition reaches the interpreter each `ProcessorConfig.Mode: DISTRIBUTED` Map state becomes a
 * Task state (same ResultPath, Retry, Catch, Next) whose local handler does what AWS does:
 *   - ItemReader: `arn:aws:states:::s3:getObject` on JSONL or JSON (an array), `MaxItems`; or ItemsPath;
 *   - ItemSelector with `$` and `$$.Map.Item.Value/Index`;
 *   - one child execution per item (its own interpreter run, so its own Retry and Catch), at most
 *     MaxConcurrency(Path) at a time;
 *   - ToleratedFailurePercentage / ToleratedFailureCount (else States.ExceedToleratedFailureThreshold);
 *   - ResultWriter: `<Prefix>/<map-run-id>/SUCCEEDED_0.json`, `FAILED_0.json`, `PENDING_0.json` (each a JSON
 *     array of child executions in AWS's shape) and `manifest.json` listing them; the state's result is
 *     `{MapRunArn, ResultWriterDetails: {Bucket, Key}}`, as on AWS. Without a ResultWriter, the outputs.
 */
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { JSONPath } from 'jsonpath-plus';

/** What a Distributed Map state looks like in a definition (the fields this emulator reads). */
interface DistributedMapState {
  Type: 'Map';
  Comment?: string;
  InputPath?: string;
  OutputPath?: string;
  ResultPath?: string | null;
  ResultSelector?: unknown;
  ItemsPath?: string;
  ItemReader?: {
    Resource: string;
    ReaderConfig?: { InputType?: string; MaxItems?: number };
    Parameters?: Record<string, unknown>;
  };
  ItemSelector?: Record<string, unknown>;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
  ToleratedFailurePercentage?: number;
  ToleratedFailureCount?: number;
  ItemProcessor: { ProcessorConfig?: { Mode?: string }; StartAt: string; States: Record<string, unknown> };
  ResultWriter?: { Resource: string; Parameters?: Record<string, unknown> };
  Retry?: unknown;
  Catch?: unknown;
  Next?: string;
  End?: boolean;
}

/** One child execution as the emulator records it (and as ResultWriter files list it). */
export interface ChildExecutionRecord {
  ExecutionArn: string;
  Name: string;
  StateMachineArn: string;
  Status: 'SUCCEEDED' | 'FAILED' | 'PENDING';
  Input: string;
  InputDetails: { Included: true };
  Output?: string;
  OutputDetails?: { Included: true };
  Error?: string;
  Cause?: string;
  StartDate?: string;
  StopDate?: string;
  RedriveCount: 0;
  RedriveStatus: 'NOT_REDRIVABLE';
}

/** Counters of one map run, for the emulator's execution statistics. */
export interface MapRunStats {
  items: number;
  childTransitions: number;
  maxChildPayloadBytes: number;
  maxRunning: number;
}

/** What the map-run handler needs from its execution. */
export interface MapRunContext {
  region: string;
  account: string;
  stateMachineName: string;
  executionName: string;
  s3: S3Client;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** Registers a child run's abort, so aborting the parent aborts its children. */
  track(abort: () => void): () => void;
  /** Called once the map run ends. */
  onStats(stats: MapRunStats): void;
}

/** An error the Map state raises, with a Step Functions error name. */
export class MapRunError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** True for a Map state whose ItemProcessor runs in DISTRIBUTED mode. */
export function isDistributedMap(state: unknown): state is DistributedMapState {
  const map = state as Partial<DistributedMapState> | null;
  return map?.Type === 'Map' && map.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The names of the Distributed Map states at the top of a definition. */
export function distributedMapNames(definition: { States: Record<string, unknown> }): string[] {
  return Object.entries(definition.States)
    .filter(([, state]) => isDistributedMap(state))
    .map(([name]) => name);
}

/**
 * The definition the interpreter runs: each Distributed Map becomes a Task with the same data flow fields
 * and transitions, run by `mapRunHandler`. The original states are returned alongside.
 */
export function withDistributedMapsAsTasks(
  definition: StateMachineDefinition,
  taskArn: string,
): { definition: StateMachineDefinition; maps: Map<string, DistributedMapState> } {
  const maps = new Map<string, DistributedMapState>();
  const states: Record<string, unknown> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, unknown>)) {
    if (!isDistributedMap(state)) {
      states[name] = state;
      continue;
    }
    maps.set(name, state);
    // A Map state has no timeout on AWS; the interpreter gives a Task 60 s unless told (2e6 s: 23 days, below
    // setTimeout's 2^31 ms ceiling, past which the timer would fire at once).
    const task: Record<string, unknown> = { Type: 'Task', Resource: taskArn, TimeoutSeconds: 2_000_000 };
    for (const field of [
      'Comment',
      'InputPath',
      'OutputPath',
      'ResultPath',
      'ResultSelector',
      'Retry',
      'Catch',
      'Next',
      'End',
    ] as const) {
      if (state[field] !== undefined) task[field] = state[field];
    }
    states[name] = task;
  }
  return { definition: { ...definition, States: states } as StateMachineDefinition, maps };
}

function evaluatePath(path: string, input: unknown, context: unknown): unknown {
  if (path.startsWith('States.')) {
    throw new MapRunError(
      'States.Runtime',
      `intrinsic functions are not emulated in Distributed Map fields: ${path}`,
    );
  }
  const json = path.startsWith('$$') ? context : input;
  const expression = path.startsWith('$$') ? path.slice(1) : path;
  const found = JSONPath({ path: expression, json: json as object, wrap: false });
  if (found === undefined) {
    throw new MapRunError('States.Runtime', `the JSONPath ${path} could not be found in the input`);
  }
  return found;
}

/** Applies a Parameters / ItemSelector template: `key.$` fields take the value at their path. */
export function applyTemplate(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((value) => applyTemplate(value, input, context));
  if (typeof template !== 'object' || template === null) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string')
      out[key.slice(0, -2)] = evaluatePath(value, input, context);
    else out[key] = applyTemplate(value, input, context);
  }
  return out;
}

async function readItems(state: DistributedMapState, input: unknown, s3: S3Client): Promise<unknown[]> {
  const reader = state.ItemReader;
  if (reader === undefined) {
    const items = evaluatePath(state.ItemsPath ?? '$', input, {});
    if (!Array.isArray(items)) throw new MapRunError('States.Runtime', 'ItemsPath does not select an array');
    return items;
  }
  if (reader.Resource !== 'arn:aws:states:::s3:getObject') {
    throw new MapRunError(
      'States.ItemReaderFailed',
      `ItemReader ${reader.Resource} is not emulated (only s3:getObject)`,
    );
  }
  const { Bucket, Key } = applyTemplate(reader.Parameters ?? {}, input, {}) as {
    Bucket?: string;
    Key?: string;
  };
  if (typeof Bucket !== 'string' || typeof Key !== 'string') {
    throw new MapRunError('States.ItemReaderFailed', 'ItemReader Parameters need Bucket and Key');
  }
  let text: string;
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket, Key }));
    text = (await answer.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw new MapRunError(
      'States.ItemReaderFailed',
      `s3://${Bucket}/${Key}: ${(error as Error).name}: ${(error as Error).message}`,
    );
  }
  const type = reader.ReaderConfig?.InputType ?? 'JSON';
  let items: unknown[];
  try {
    if (type === 'JSONL')
      items = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line));
    else if (type === 'JSON') items = JSON.parse(text) as unknown[];
    else throw new MapRunError('States.ItemReaderFailed', `ReaderConfig.InputType ${type} is not emulated`);
  } catch (error) {
    if (error instanceof MapRunError) throw error;
    throw new MapRunError('States.ItemReaderFailed', `s3://${Bucket}/${Key} is not valid ${type}`);
  }
  if (!Array.isArray(items))
    throw new MapRunError('States.ItemReaderFailed', `s3://${Bucket}/${Key} is not an array`);
  const max = reader.ReaderConfig?.MaxItems;
  return max !== undefined && max > 0 ? items.slice(0, max) : items;
}

function concurrencyOf(state: DistributedMapState, input: unknown): number {
  const value =
    state.MaxConcurrencyPath !== undefined
      ? evaluatePath(state.MaxConcurrencyPath, input, {})
      : state.MaxConcurrency;
  if (value === undefined || value === 0) return 10_000;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new MapRunError(
      'States.Runtime',
      `MaxConcurrency must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function payloadBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

/** The local handler of one Distributed Map state: runs the map run and returns the state's result. */
export function mapRunHandler(name: string, state: DistributedMapState, ctx: MapRunContext) {
  const processor = new StateMachine({
    StartAt: state.ItemProcessor.StartAt,
    States: state.ItemProcessor.States,
  } as StateMachineDefinition);
  return async (input: unknown): Promise<unknown> => {
    const items = await readItems(state, input, ctx.s3);
    const limit = concurrencyOf(state, input);
    const mapRunId = randomUUID();
    const label = `${ctx.stateMachineName}/${name}`;
    const mapRunArn = `arn:aws:states:${ctx.region}:${ctx.account}:mapRun:${label}:${mapRunId}`;
    const childMachineArn = `arn:aws:states:${ctx.region}:${ctx.account}:stateMachine:${label}`;
    const stats: MapRunStats = {
      items: items.length,
      childTransitions: 0,
      maxChildPayloadBytes: 0,
      maxRunning: 0,
    };
    const children: ChildExecutionRecord[] = items.map((item, index) => {
      const childInput =
        state.ItemSelector === undefined
          ? item
          : applyTemplate(state.ItemSelector, input, { Map: { Item: { Value: item, Index: index } } });
      const childName = randomUUID();
      return {
        ExecutionArn: `arn:aws:states:${ctx.region}:${ctx.account}:execution:${label}:${childName}`,
        Name: childName,
        StateMachineArn: childMachineArn,
        Status: 'PENDING',
        Input: JSON.stringify(childInput ?? null),
        InputDetails: { Included: true },
        RedriveCount: 0,
        RedriveStatus: 'NOT_REDRIVABLE',
      };
    });
    let failed = 0;
    let running = 0;
    let next = 0;
    let stop = false;
    const tolerance = (count: number) =>
      (state.ToleratedFailureCount !== undefined && count > state.ToleratedFailureCount) ||
      (state.ToleratedFailurePercentage !== undefined &&
        (count / Math.max(items.length, 1)) * 100 > state.ToleratedFailurePercentage) ||
      (state.ToleratedFailureCount === undefined &&
        state.ToleratedFailurePercentage === undefined &&
        count > 0);

    const runChild = async (child: ChildExecutionRecord): Promise<void> => {
      child.StartDate = new Date().toISOString();
      const run = processor.run(JSON.parse(child.Input), {
        overrides: {
          taskResourceLocalHandlers: ctx.handlers as never,
          ...(ctx.retryIntervalOverrides ? { retryIntervalOverrides: ctx.retryIntervalOverrides } : {}),
        },
        context: {
          Execution: { Id: child.ExecutionArn, Name: child.Name, StartTime: child.StartDate, RoleArn: '' },
          StateMachine: { Id: childMachineArn, Name: label },
          State: { RetryCount: 0 },
        },
      });
      const untrack = ctx.track(run.abort);
      const counting = (async () => {
        for await (const event of run.eventLogs as AsyncIterable<{ type: string }>) {
          if (event.type === 'StateEntered' || event.type === 'StateRetried') stats.childTransitions += 1;
          const withData = stateData(event);
          stats.maxChildPayloadBytes = Math.max(
            stats.maxChildPayloadBytes,
            payloadBytes(withData.input),
            payloadBytes(withData.output),
          );
        }
      })().catch(() => undefined);
      try {
        const output = await run.result;
        child.Status = 'SUCCEEDED';
        child.Output = JSON.stringify(output ?? null);
        child.OutputDetails = { Included: true };
      } catch (error) {
        const failure = error as { name?: string; cause?: unknown; message?: string };
        const inner = failure.cause instanceof Error ? failure.cause : (error as Error);
        child.Status = 'FAILED';
        child.Error = inner.name;
        child.Cause = inner.message;
        failed += 1;
        if (tolerance(failed)) stop = true;
      } finally {
        child.StopDate = new Date().toISOString();
        untrack();
        await counting;
      }
    };

    await new Promise<void>((resolve) => {
      const pump = () => {
        if ((stop || next >= children.length) && running === 0) {
          resolve();
          return;
        }
        while (!stop && running < limit && next < children.length) {
          const child = children[next++] as ChildExecutionRecord;
          running += 1;
          stats.maxRunning = Math.max(stats.maxRunning, running);
          void runChild(child).finally(() => {
            running -= 1;
            pump();
          });
        }
      };
      pump();
    });
    ctx.onStats(stats);

    let result: unknown;
    if (state.ResultWriter !== undefined) {
      result = await writeResults(state.ResultWriter, input, ctx.s3, mapRunArn, mapRunId, children);
    } else {
      result = children.map((child) => (child.Output === undefined ? null : JSON.parse(child.Output)));
    }
    if (stop) {
      throw new MapRunError(
        'States.ExceedToleratedFailureThreshold',
        `The specified tolerated failure threshold was exceeded: ${failed} of ${items.length} child executions failed`,
      );
    }
    return result;
  };
}

async function writeResults(
  writer: NonNullable<DistributedMapState['ResultWriter']>,
  input: unknown,
  s3: S3Client,
  mapRunArn: string,
  mapRunId: string,
  children: ChildExecutionRecord[],
): Promise<unknown> {
  if (writer.Resource !== 'arn:aws:states:::s3:putObject') {
    throw new MapRunError(
      'States.ResultWriterFailed',
      `ResultWriter ${writer.Resource} is not emulated (only s3:putObject)`,
    );
  }
  const { Bucket, Prefix } = applyTemplate(writer.Parameters ?? {}, input, {}) as {
    Bucket?: string;
    Prefix?: string;
  };
  if (typeof Bucket !== 'string')
    throw new MapRunError('States.ResultWriterFailed', 'ResultWriter Parameters need Bucket');
  const base = `${Prefix === undefined || Prefix === '' ? '' : `${Prefix.replace(/\/$/, '')}/`}${mapRunId}`;
  const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  const put = async (Key: string, body: string) => {
    try {
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentType: 'application/json' }));
    } catch (error) {
      throw new MapRunError(
        'States.ResultWriterFailed',
        `s3://${Bucket}/${Key}: ${(error as Error).name}: ${(error as Error).message}`,
      );
    }
  };
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    const matching = children.filter((child) => child.Status === status);
    if (matching.length === 0) continue;
    const Key = `${base}/${status}_0.json`;
    const body = JSON.stringify(matching);
    await put(Key, body);
    files[status].push({ Key, Size: Buffer.byteLength(body) });
  }
  const manifestKey = `${base}/manifest.json`;
  await put(
    manifestKey,
    JSON.stringify({ DestinationBucket: Bucket, MapRunArn: mapRunArn, ResultFiles: files }),
  );
  return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket, Key: manifestKey } };
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
