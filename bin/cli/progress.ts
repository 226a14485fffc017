/**
 * Live progress of a run from its execution history (GetExecutionHistory): each RunDiagnostic target's
 * state, attempts, last error and, while it waits to retry, the longest the next delay can be under the
 * state machine's Retry policy (full jitter makes the actual delay anything up to it).
 */

import { lastArnSegment } from '#lib/s3-keys.ts';
import definition from '../../statemachines/diagnostics.asl.json' with { type: 'json' };
import { cell } from './io.ts';

/** One history event, as far as progress reads it. */
export interface ProgressEvent {
  id?: number;
  previousEventId?: number;
  timestamp?: Date | number;
  type?: string;
  stateEnteredEventDetails?: { name?: string; input?: string };
  taskFailedEventDetails?: { error?: string; cause?: string };
  taskSucceededEventDetails?: { output?: string };
}

/** What one target is doing. */
export interface TargetProgress {
  label: string;
  state: 'running' | 'waiting to retry' | 'done' | 'failed';
  /** The status run-diagnostic returned (succeeded, partial, not-applicable) once done. */
  status?: string;
  attempts: number;
  lastError?: string;
  /** Upper bound of the delay before the next attempt, in seconds, while waiting to retry. */
  nextDelayAtMostSeconds?: number;
}

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
}

/** Finds the named state's Retry list anywhere in the definition (inline or distributed Map). */
function retriersOf(node: unknown, state: string): Retrier[] | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const states = (node as { States?: Record<string, { Retry?: Retrier[] }> }).States;
  if (states?.[state]?.Retry) return states[state].Retry;
  for (const value of Object.values(node as Record<string, unknown>)) {
    const found = retriersOf(value, state);
    if (found) return found;
  }
  return undefined;
}

const RUN_DIAGNOSTIC_RETRY = retriersOf(definition, 'RunDiagnostic') ?? [];

/** The longest delay before retry number `retry` (1-based) of an error, or undefined when it is not retried. */
export function retryDelayUpperBound(
  error: string,
  retry: number,
  retriers = RUN_DIAGNOSTIC_RETRY,
): number | undefined {
  const retrier = retriers.find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
  if (!retrier || retry > (retrier.MaxAttempts ?? 3)) return undefined;
  const raw = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** (retry - 1);
  return Math.min(raw, retrier.MaxDelaySeconds ?? raw);
}

/** Each RunDiagnostic target's progress, in the order the targets started. */
export function targetProgress(events: readonly ProgressEvent[]): TargetProgress[] {
  const owner = new Map<number, TargetProgress>();
  const errorsInRow = new Map<TargetProgress, Map<string, number>>();
  const targets: TargetProgress[] = [];
  for (const event of events) {
    let target = event.previousEventId === undefined ? undefined : owner.get(event.previousEventId);
    if (event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === 'RunDiagnostic') {
      target = { label: labelOf(event.stateEnteredEventDetails.input), state: 'running', attempts: 0 };
      targets.push(target);
    }
    if (target === undefined || event.id === undefined) continue;
    owner.set(event.id, target);
    switch (event.type) {
      case 'TaskScheduled':
        target.attempts += 1;
        target.state = 'running';
        delete target.nextDelayAtMostSeconds;
        break;
      case 'TaskFailed': {
        const name = event.taskFailedEventDetails?.error ?? 'Error';
        target.lastError = `${name}${causeText(event.taskFailedEventDetails?.cause)}`;
        const counts = errorsInRow.get(target) ?? new Map<string, number>();
        counts.set(name, (counts.get(name) ?? 0) + 1);
        errorsInRow.set(target, counts);
        const bound = retryDelayUpperBound(name, counts.get(name) ?? 1);
        target.state = bound === undefined ? 'failed' : 'waiting to retry';
        if (bound !== undefined) target.nextDelayAtMostSeconds = bound;
        break;
      }
      case 'TaskSucceeded': {
        target.state = 'done';
        const status = statusOf(event.taskSucceededEventDetails?.output);
        if (status) target.status = status;
        break;
      }
      case 'TaskStateExited':
        if (target.state === 'waiting to retry') target.state = 'failed';
        break;
      default:
        break;
    }
  }
  return targets;
}

/** One line per target. */
export function progressLines(targets: readonly TargetProgress[]): string[] {
  return targets.map((t) => {
    const parts = [`${t.label}: ${t.status ?? t.state}`, `attempt ${t.attempts}`];
    if (t.lastError && t.state !== 'done') parts.push(`last error ${t.lastError}`);
    if (t.nextDelayAtMostSeconds !== undefined)
      parts.push(`next attempt within ${t.nextDelayAtMostSeconds} s`);
    return `  ${cell(parts.join(', '), 400)}`;
  });
}

function labelOf(input: string | undefined): string {
  try {
    const target = (JSON.parse(input ?? '{}') as { target?: { taskArn?: string; container?: string } })
      .target;
    return `${lastArnSegment(target?.taskArn ?? '?')}/${target?.container ?? '?'}`;
  } catch {
    return '?';
  }
}

function statusOf(output: string | undefined): string | undefined {
  try {
    const status = (JSON.parse(output ?? '{}') as { status?: unknown }).status;
    return typeof status === 'string' ? status : undefined;
  } catch {
    return undefined;
  }
}

function causeText(cause: string | undefined): string {
  if (!cause) return '';
  let message = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // a bare message
  }
  const short = message.replace(/\s+/g, ' ').slice(0, 160);
  return short === '' ? '' : ` (${short})`;
}
