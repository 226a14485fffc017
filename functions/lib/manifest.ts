/**
 * The run manifest, schema version 2: what WriteReport stores as `manifest.json` and what the report page,
 * the summary, the completion event and the CLI read. The JSON Schema that tests validate every written
 * manifest against is `schemas/manifest.v2.schema.json`; the two change together.
 */
import type { SkippedTarget, Target } from './contracts.ts';

export const MANIFEST_SCHEMA_VERSION = 2;

/**
 * The exit code with which a catalog script says "nothing to diagnose here" (no JVM in a `jvm` run, ...):
 * the target is then `not-applicable`, not a success. Documented in diagnostics/README.md.
 */
export const NOT_APPLICABLE_EXIT_CODE = 97;

/** A target's outcome. `skipped` never reaches `targets` (preflight skips are in `skipped`). */
export type TargetStatus = 'succeeded' | 'partial' | 'not-applicable' | 'failed';

/** Why a stored capture is incomplete or unhappy (a `partial` target lists every one that applies). */
export type PartialReason =
  /** The script ran to its end but exited with a code other than 0 (and other than NOT_APPLICABLE). */
  | 'exit-code'
  /** The output reached the script's cap and the rest was cut. */
  | 'output-cap'
  /** The run deadline (Lambda time left) cut the capture. */
  | 'deadline'
  /** The data channel dropped after output was stored. */
  | 'session-interrupted'
  /** The session closed before the exit-status marker arrived: the script's end was never seen. */
  | 'no-exit-status';

/** The run's outcome from its targets: see the README's outcome table. */
export type RunOutcome = 'succeeded' | 'partial' | 'failed';

/** One state of the alarm, as the alarm event gives it. */
export interface AlarmState {
  value: string;
  reason?: string;
  /** `reasonData`, parsed (datapoints, threshold, ...) when the event carried it. */
  reasonData?: unknown;
  timestamp?: string;
}

/** The alarm in its own words. */
export interface ManifestAlarm {
  name: string;
  arn?: string;
  description?: string;
  state: AlarmState;
  previousState?: AlarmState;
  threshold?: number;
  comparisonOperator?: string;
  /** `namespace/metricName` entries the alarm watches, when known. */
  metrics?: string[];
}

/** What ECS said about the task a target ran in. */
export interface TaskFacts {
  service?: string;
  image?: string;
  imageDigest?: string;
  /** `family:revision` */
  taskDefinition?: string;
  launchType?: string;
  platformVersion?: string;
  startedAt?: string;
  az?: string;
}

/** One try of RunDiagnostic for a target. */
export interface Attempt {
  number: number;
  startedAt?: string;
  /** When the attempt ended (its error was recorded). */
  endedAt?: string;
  error?: { name: string; message: string };
  /** The delay Step Functions waited before the next attempt, when there was one. */
  delayBeforeNextMs?: number;
}

/** How a capture went, apart from its outcome. */
export interface CaptureFacts {
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** How the pty's `\n` → `\r\n` translation was handled: turned off in the container, or undone here. */
  newlines: 'stty-onlcr-off' | 'crlf-undone';
  /** The data channel dropped after the exit status arrived: the output is complete, the session did not close. */
  interrupted?: { name: string; message: string };
}

/** One readiness check (the ECS Exec checks): pass, fail with evidence and fix, or not checked and why. */
export interface ReadinessCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'not-checked';
  evidence?: string;
  fix?: string;
}

/** One target's entry in the manifest. */
export interface ManifestTarget {
  target: Target;
  status: TargetStatus;
  /** Every reason that applies when `status` is `partial`. */
  partialReasons?: PartialReason[];
  s3Key?: string;
  bytes?: number;
  truncated?: boolean;
  truncation?: 'output-cap' | 'deadline';
  exitCode?: number | null;
  redactions?: number;
  task?: TaskFacts;
  capture?: CaptureFacts;
  attempts: Attempt[];
  error?: { name: string; message: string };
  readiness?: ReadinessCheck[];
  /** S3 key of the full readiness findings (the manifest carries a bounded copy). */
  readinessKey?: string;
}

/** A task that sampling left out (not a preflight skip). */
export interface LeftOutTask {
  cluster: string;
  service?: string;
  taskArn: string;
  reason: string;
}

export interface ManifestError {
  stage: 'ResolveTargets' | 'RunTargets' | 'WriteReport';
  name: string;
  message: string;
}

/** manifest.json, schema version 2. */
export interface Manifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  executionName: string;
  startedAt: string;
  writtenAt: string;
  outcome: RunOutcome;
  summary: {
    targets: number;
    byStatus: Record<TargetStatus, number>;
    skipped: number;
    leftOut: number;
  };
  alarm?: ManifestAlarm;
  request: unknown;
  targets: ManifestTarget[];
  /** Tasks that preflight skipped, with the reason (and readiness findings when they were checked). */
  skipped: (SkippedTarget & { readiness?: ReadinessCheck[] })[];
  /** Tasks that sampling left out. */
  leftOut: LeftOutTask[];
  errors: ManifestError[];
  notes?: string[];
  /** Keys of the run's other objects, next to the manifest. */
  files: { manifest: string; summary: string; report: string };
}
