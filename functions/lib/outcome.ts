/**
 * The outcome rules: a target's status from what its capture stored, and a run's outcome from its targets.
 * The README's outcome table states the same rules; change both together.
 */
import {
  type Manifest,
  NOT_APPLICABLE_EXIT_CODE,
  type PartialReason,
  type RunOutcome,
  type TargetStatus,
} from './manifest.ts';

/** What a stored capture says about how it ended. */
export interface StoredCapture {
  exitCode: number | null;
  truncationReason?: 'output-cap' | 'deadline' | 'aborted';
  /** The data channel dropped after the exit status arrived. */
  interrupted?: boolean;
}

/** The statuses whose output was stored: a run with none of them captured nothing. */
export const CAPTURED_STATUSES: readonly TargetStatus[] = ['succeeded', 'partial', 'not-applicable'];

/**
 * A stored capture's status: `not-applicable` when the script exited NOT_APPLICABLE_EXIT_CODE; `succeeded` only
 * with exit 0, nothing cut and a clean end; else `partial` with every reason that applies.
 */
export function captureOutcome(stored: StoredCapture): {
  status: Exclude<TargetStatus, 'failed'>;
  partialReasons?: PartialReason[];
} {
  if (stored.exitCode === NOT_APPLICABLE_EXIT_CODE) return { status: 'not-applicable' };
  const reasons: PartialReason[] = [];
  if (stored.truncationReason === 'output-cap') reasons.push('output-cap');
  if (stored.truncationReason === 'deadline') reasons.push('deadline');
  if (stored.interrupted === true) reasons.push('session-interrupted');
  if (stored.exitCode === null && (stored.truncationReason ?? 'aborted') === 'aborted') {
    reasons.push('no-exit-status');
  }
  if (stored.exitCode !== null && stored.exitCode !== 0) reasons.push('exit-code');
  return reasons.length === 0 ? { status: 'succeeded' } : { status: 'partial', partialReasons: reasons };
}

/** Counts of targets by status, every status present. */
export function countByStatus(statuses: readonly TargetStatus[]): Record<TargetStatus, number> {
  const counts: Record<TargetStatus, number> = { succeeded: 0, partial: 0, 'not-applicable': 0, failed: 0 };
  for (const status of statuses) counts[status] += 1;
  return counts;
}

/** How many targets stored an output (succeeded, partial or not-applicable). */
export function capturedCount(byStatus: Record<TargetStatus, number>): number {
  return CAPTURED_STATUSES.reduce((sum, status) => sum + byStatus[status], 0);
}

/** A run's counts, as the completion event and WriteReport's state summary carry them. */
export interface RunCounts {
  targets: number;
  /** Targets whose output was stored (succeeded, partial, not-applicable): the Outcome choice reads it. */
  captured: number;
  succeeded: number;
  partial: number;
  notApplicable: number;
  failed: number;
  skipped: number;
  leftOut: number;
}

/** The run's counts from its manifest summary. */
export function runCounts(summary: Manifest['summary']): RunCounts {
  const { byStatus } = summary;
  return {
    targets: summary.targets,
    captured: capturedCount(byStatus),
    succeeded: byStatus.succeeded,
    partial: byStatus.partial,
    notApplicable: byStatus['not-applicable'],
    failed: byStatus.failed,
    skipped: summary.skipped,
    leftOut: summary.leftOut,
  };
}

/**
 * The run's outcome: `failed` when no target captured anything; `succeeded` when at least one target succeeded,
 * every other one is not-applicable, and no stage failed; `partial` otherwise.
 */
export function runOutcome(byStatus: Record<TargetStatus, number>, stageErrors: number): RunOutcome {
  if (capturedCount(byStatus) === 0) return 'failed';
  const clean = byStatus.partial === 0 && byStatus.failed === 0 && stageErrors === 0;
  return clean && byStatus.succeeded > 0 ? 'succeeded' : 'partial';
}
