/**
 * The shapes that travel through the state machine. Names matter: the ASL, the manifest and users
 * depend on them. Outputs never travel in state: only keys, sizes and statuses.
 */

import type { CaptureFacts, LeftOutTask, PartialReason, TargetStatus, TaskFacts } from './manifest.ts';

/** One container to diagnose. */
export interface Target {
  cluster: string;
  /** The service the task belongs to, when resolution knows it (manifests group targets by it). */
  service?: string;
  taskArn: string;
  container: string;
  script: string;
  az?: string;
  runtimeId?: string;
  /** The task's facts from resolve-targets' DescribeTasks, bounded (functions/lib/targets/task-facts.ts). */
  facts?: TargetFacts;
}

/** The facts a target carries about its task (its service and zone are the target's own fields). */
export type TargetFacts = Omit<TaskFacts, 'service' | 'az'>;

/** A task or container that resolve-targets left out, with the reason (ends up in the manifest). */
export interface SkippedTarget {
  cluster: string;
  taskArn?: string;
  container?: string;
  reason: string;
}

/** What the run of one target produced (every field bounded: results travel in the state). */
export interface TargetResult {
  target: Target;
  status: TargetStatus | 'skipped';
  /** Every reason that applies when `status` is `partial`. */
  partialReasons?: PartialReason[];
  s3Key?: string;
  bytes?: number;
  truncated?: boolean;
  truncation?: 'output-cap' | 'deadline';
  exitCode?: number | null;
  /** How many RunDiagnostic attempts this result took (the successful one included). */
  attempts?: number;
  /** When the attempt that produced this result started. */
  attemptStartedAt?: string;
  redactions?: number;
  task?: TaskFacts;
  capture?: CaptureFacts & { interrupted?: { name: string; message: string } };
  error?: { name: string; message: string };
}

/** Identifies the run: every key of a run sits under `prefix`. */
export interface RunContext {
  executionName: string;
  /** `runs/<yyyy>/<mm>/<dd>/<execution-name>/` */
  prefix: string;
  alarmName?: string;
}

/** The input of run-diagnostic, one Map item. */
export interface RunDiagnosticInput {
  target: Target;
  run: RunContext;
  /** `$$.State.RetryCount` of the RunDiagnostic state. */
  retryCount?: number;
}

/** The output of resolve-targets. */
export interface ResolvedTargets {
  run: RunContext;
  targets: Target[];
  skipped: SkippedTarget[];
  /** Eligible tasks that sampling left out (the first MAX_LEFT_OUT_LISTED), and how many there were. */
  leftOut?: LeftOutTask[];
  leftOutCount?: number;
  maxConcurrency: number;
}

/** How the state machine iterates the targets: in the state (small runs) or from S3 (Distributed Map). */
export type MapMode = 'inline' | 'distributed';

/**
 * What ResolveTargets puts in the state: a fixed size whatever the number of targets. The full lists are in
 * S3 (`targetsKey`, `skippedKey`); `targets` travels only in inline mode, `skipped` only its first entries.
 */
export interface ResolvedState {
  run: RunContext;
  mode: MapMode;
  targetCount: number;
  skippedCount: number;
  targetsKey: string;
  skippedKey: string;
  /** The Distributed Map's ResultWriter prefix. */
  resultsPrefix: string;
  targets?: Target[];
  skipped: SkippedTarget[];
  /** Tasks that sampling left out (the first MAX_LEFT_OUT_LISTED), and how many there were. */
  leftOut?: LeftOutTask[];
  leftOutCount?: number;
  maxConcurrency: number;
  notes?: string[];
}
