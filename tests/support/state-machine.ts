import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/** One entry of the interpreter's event log (the library does not export the type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

const DEFINITION_PATH = join(process.cwd(), 'statemachines', 'diagnostics.asl.json');

/** Stand-in ARNs for the template's DefinitionSubstitutions. */
export const TEST_SUBSTITUTIONS: Record<string, string> = {
  ResolveTargetsFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:resolve-targets',
  RunDiagnosticFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:run-diagnostic',
  WriteReportFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:write-report',
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
  /** Every input each task state received, in order. */
  calls: Record<TaskStateName, unknown[]>;
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
  options: { retryIntervalOverrides?: Record<string, number | number[]>; executionName?: string } = {},
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
  const machine = new StateMachine(loadDefinition());
  const name = options.executionName ?? 'test-execution';
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: local,
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
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
    return { status: 'SUCCEEDED', output, events, calls };
  } catch (error) {
    await collecting;
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    return { status: 'FAILED', error: { name: cause.name, message: cause.message }, events, calls };
  }
}
