/**
 * Turns aws-local-stepfunctions' event log into Step Functions' execution history (GetExecutionHistory's
 * HistoryEvent shapes): each Task attempt is TaskScheduled → TaskStarted → TaskSucceeded | TaskFailed, a
 * retry is a new TaskScheduled after the backoff, and events inside a Map iteration chain to that
 * iteration through previousEventId, as AWS links them.
 */
import type { StateMachine } from 'aws-local-stepfunctions';

/** One event of the interpreter's log (the library does not export the type). */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncIterable<infer E> ? E : never;

/** One history event as the SFN JSON API returns it (timestamp in epoch seconds). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** Accumulates the history of one execution. */
export class ExecutionHistory {
  readonly events: HistoryEvent[] = [];
  private readonly lastByIteration = new Map<number | undefined, number>();

  /** Appends the AWS events that one interpreter event stands for. */
  add(event: EventLog): void {
    const at = event.timestamp / 1000;
    const index = 'index' in event && typeof event.index === 'number' ? event.index : undefined;
    const push = (type: string, details: Record<string, unknown> = {}, iteration = index) => {
      const id = this.events.length + 1;
      const previousEventId = this.lastByIteration.get(iteration) ?? this.lastByIteration.get(undefined) ?? 0;
      this.events.push({ id, previousEventId, timestamp: at, type, ...details });
      this.lastByIteration.set(iteration, id);
    };
    const text = (value: unknown) => JSON.stringify(value ?? null);
    const lambda = { resourceType: 'lambda', resource: 'invoke' };
    switch (event.type) {
      case 'ExecutionStarted':
        push('ExecutionStarted', { executionStartedEventDetails: { input: text(event.input) } }, undefined);
        return;
      case 'ExecutionSucceeded':
        push(
          'ExecutionSucceeded',
          { executionSucceededEventDetails: { output: text(event.output) } },
          undefined,
        );
        return;
      case 'ExecutionFailed':
        push('ExecutionFailed', { executionFailedEventDetails: failure(event) }, undefined);
        return;
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        push(event.type === 'ExecutionAborted' ? 'ExecutionAborted' : 'ExecutionTimedOut', {}, undefined);
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
        if (event.type === 'MapIterationStarted')
          this.lastByIteration.set(event.index, this.lastByIteration.get(undefined) ?? 0);
        push(event.type, { [key]: { name: event.parentState.name, index: event.index } }, event.index);
        return;
      }
      case 'StateEntered':
        push(`${event.state.type}StateEntered`, {
          stateEnteredEventDetails: { name: event.state.name, input: text(event.state.input) },
        });
        if (event.state.type === 'Task') {
          push('TaskScheduled', { taskScheduledEventDetails: { ...lambda, region: '', parameters: '{}' } });
          push('TaskStarted', { taskStartedEventDetails: lambda });
        }
        return;
      case 'StateFailed':
        if (event.state.type === 'Task')
          push('TaskFailed', { taskFailedEventDetails: { ...lambda, ...failure(event) } });
        return;
      case 'StateRetried':
        if (event.state.type === 'Task') {
          push('TaskScheduled', { taskScheduledEventDetails: { ...lambda, region: '', parameters: '{}' } });
          push('TaskStarted', { taskStartedEventDetails: lambda });
        }
        return;
      case 'StateCaught':
        push(`${event.state.type}StateExited`, { stateExitedEventDetails: { name: event.state.name } });
        return;
      case 'StateExited':
        if (event.state.type === 'Task') {
          push('TaskSucceeded', {
            taskSucceededEventDetails: { ...lambda, output: text(event.state.output) },
          });
        }
        push(`${event.state.type}StateExited`, {
          stateExitedEventDetails: { name: event.state.name, output: text(event.state.output) },
        });
        return;
      default:
        return;
    }
  }
}

function failure(event: { Error: string; Cause: unknown }): { error: string; cause: string } {
  return {
    error: event.Error,
    cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause ?? ''),
  };
}
