import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type MapRunStats,
  mapRunHandler,
  withDistributedMapsAsTasks,
} from '#local/sfn-emulator/distributed-map.ts';

/** One entry of the interpreter's event log (the library does not export the type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const DEFINITION_PATH = join(process.cwd(), 'statemachines', 'diagnostics.asl.json');

/** Stand-in ARNs for the template's DefinitionSubstitutions. */
export const TEST_SUBSTITUTIONS: Record<string, string> = {
  ResolveTargetsFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:resolve-targets',
  RunDiagnosticFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:run-diagnostic',
  WriteReportFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:write-report',
  OutputBucketName: 'test-output-bucket',
  CheckReadinessFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:check-readiness',
};

/** The raw definition text, placeholders and all. */
export function definitionText(): string {
  return readFileSync(DEFINITION_PATH, 'utf8');
}

/** The definition with `${Name}` placeholders replaced, as CloudFormation would. */
export function loadDefinition(
  substitutions: Record<string, string> = TEST_SUBSTITUTIONS,
): StateMachineDefinition {
  const text = definitionText().replace(
    /\$\{(\w+)\}/g,
    (whole, name: string) => substitutions[name] ?? whole,
  );
  return JSON.parse(text) as StateMachineDefinition;
}

/** The `${Name}` placeholders the definition uses. */
export function definitionPlaceholders(): Set<string> {
  return new Set([...definitionText().matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] ?? ''));
}

type Handler = (input: never) => unknown;

/** The Task states of the definition. */
export type TaskStateName =
  | 'ResolveTargets'
  | 'RunDiagnostic'
  | 'WriteReport'
  | 'ReportNotWritten'
  | 'CheckReadiness';

export interface RunOutcome {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: { name: string; message: string };
  events: EventLog[];
  /** Every input each task state received, in order (RunDiagnostic: both map modes). */
  calls: Record<TaskStateName, unknown[]>;
  /** The Distributed Map's run, when the execution took that path. */
  mapRun?: MapRunStats;
}

/**
 * Runs the real definition with test handlers for its Task states (keyed by state name). Like
 * `$$.State.RetryCount` on AWS, `retryCount` in the RunDiagnostic input counts earlier attempts
 * for the same target (the local interpreter has no RetryCount of its own).
 */
export async function runDefinition(
  input: unknown,
  handlers: Omit<Record<TaskStateName, Handler>, 'CheckReadiness' | 'ReportNotWritten'> & {
    CheckReadiness?: Handler;
    ReportNotWritten?: Handler;
  },
  options: {
    retryIntervalOverrides?: Record<string, number | number[]>;
    executionName?: string;
    /** Where the Distributed Map reads its items and writes its results (the sandbox's emulation of it). */
    s3?: S3Client;
  } = {},
): Promise<RunOutcome> {
  const calls: Record<TaskStateName, unknown[]> = {
    ResolveTargets: [],
    RunDiagnostic: [],
    WriteReport: [],
    ReportNotWritten: [],
    CheckReadiness: [],
  };
  const attemptsByTarget = new Map<string, number>();
  const withDefaults: Record<string, Handler> = {
    CheckReadiness: () => ({ checks: [], key: 'runs/test/readiness.json', reused: false }),
    ReportNotWritten: handlers.WriteReport,
    ...handlers,
  };
  const local = Object.fromEntries(
    Object.entries(withDefaults).map(([state, handler]) => [
      state,
      async (rawInput: unknown) => {
        let stateInput = rawInput;
        if (state === 'RunDiagnostic') {
          const key = JSON.stringify((rawInput as { target: unknown }).target);
          const retryCount = attemptsByTarget.get(key) ?? 0;
          attemptsByTarget.set(key, retryCount + 1);
          stateInput = { ...(rawInput as object), retryCount };
        }
        calls[state as TaskStateName].push(stateInput);
        return (await handler(stateInput as never)) as never;
      },
    ]),
  );
  local.RunDiagnosticDistributed = local.RunDiagnostic as (typeof local)[string];
  local.CheckReadinessDistributed = local.CheckReadiness as (typeof local)[string];
  const retryIntervalOverrides = options.retryIntervalOverrides
    ? {
        ...options.retryIntervalOverrides,
        RunDiagnosticDistributed: options.retryIntervalOverrides.RunDiagnostic ?? 1,
        CheckReadinessDistributed: options.retryIntervalOverrides.CheckReadiness ?? 1,
      }
    : undefined;
  const { definition, maps } = withDistributedMapsAsTasks(
    loadDefinition(),
    'arn:aws:lambda:eu-west-1:123456789012:function:LocalDistributedMap',
  );
  let mapRun: MapRunStats | undefined;
  for (const [stateName, state] of maps) {
    local[stateName] = mapRunHandler(stateName, state, {
      region: 'eu-west-1',
      account: '123456789012',
      stateMachineName: 'diagnostics',
      executionName: options.executionName ?? 'test-execution',
      s3: options.s3 as S3Client,
      handlers: local as Record<string, (input: unknown) => Promise<unknown>>,
      ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
      track: () => () => undefined,
      onStats: (stats) => {
        mapRun = stats;
      },
    }) as (typeof local)[string];
  }
  const machine = new StateMachine(definition);
  const name = options.executionName ?? 'test-execution';
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: local,
      ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
    },
    context: {
      Execution: {
        Id: `arn:aws:states:eu-west-1:123456789012:execution:diagnostics:${name}`,
        Name: name,
        StartTime: '2026-11-26T04:00:00.000Z',
      },
      State: { RetryCount: 0 },
    },
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { status: 'SUCCEEDED', output, events, calls, ...(mapRun ? { mapRun } : {}) };
  } catch (error) {
    await collecting;
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    return {
      status: 'FAILED',
      error: { name: cause.name, message: cause.message },
      events,
      calls,
      ...(mapRun ? { mapRun } : {}),
    };
  }
}
