import type { ResolvedTargets, SkippedTarget, Target, TargetResult } from '#lib/contracts.ts';
import { manifestKey, runPrefix } from '#lib/s3-keys.ts';
import { readinessFields } from './readiness.ts';

/** What Step Functions records for a caught error (`Cause` is a JSON string for Lambda errors on AWS). */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

/** The WriteReport task input: the whole execution state plus the execution's name and start. */
export interface WriteReportInput {
  state: {
    request?: unknown;
    /** resolve-targets' output; `notes` explain sources it could not use (tags, composite children). */
    resolved?: ResolvedTargets & { notes?: unknown };
    results?: unknown[];
    resolveError?: CaughtError;
    runError?: CaughtError;
  };
  execution: { name: string; startTime: string };
}

export interface ManifestError {
  stage: 'ResolveTargets' | 'RunTargets';
  name: string;
  message: string;
}

export interface Manifest {
  schemaVersion: 1;
  executionName: string;
  startedAt: string;
  writtenAt: string;
  outcome: 'succeeded' | 'partial' | 'failed';
  summary: { targets: number; succeeded: number; failed: number; skipped: number };
  request: unknown;
  targets: TargetResult[];
  skipped: SkippedTarget[];
  errors: ManifestError[];
  /** What resolve-targets noted while routing (a denied tag read, no child alarm in ALARM, ...). */
  notes?: string[];
}

/** What WriteReport returns into the state (and the execution output). */
export interface ReportSummary {
  manifestKey: string;
  outcome: Manifest['outcome'];
  succeeded: number;
  failed: number;
  skipped: number;
}

const MAX_MESSAGE_LENGTH = 2000;

const HINTS: Record<string, string> = {
  TargetNotConnectedException:
    'The ExecuteCommand agent in the task never connected while the retries lasted (about 8 minutes). Check: ' +
    '1) the task role allows ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and ' +
    'OpenDataChannel; 2) the task can reach the ssmmessages endpoint (NAT gateway or a VPC interface endpoint); ' +
    '3) the task was started with enableExecuteCommand (update the service with --enable-execute-command and ' +
    'start new tasks).',
  'States.Timeout':
    'The diagnostic outlived the task timeout; a shorter script or a smaller output cap helps.',
};

/** Turns a caught error into `{name, message}`, unwrapping the Lambda `{errorType, errorMessage}` cause. */
export function normaliseCaughtError(caught: CaughtError | undefined): { name: string; message: string } {
  const name = typeof caught?.Error === 'string' && caught.Error !== '' ? caught.Error : 'UnknownError';
  let message = typeof caught?.Cause === 'string' ? caught.Cause : '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (parsed !== null && typeof parsed === 'object' && typeof parsed.errorMessage === 'string') {
      message = parsed.errorMessage;
    }
  } catch {
    // A bare message (the local interpreter, or a States.* error) stays as it is.
  }
  const hint = HINTS[name];
  if (hint !== undefined && !message.includes(hint)) message = message === '' ? hint : `${message} — ${hint}`;
  return {
    name,
    message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message,
  };
}

function isTarget(value: unknown): value is Target {
  const target = value as Partial<Target> | null;
  return typeof target === 'object' && target !== null && typeof target.taskArn === 'string';
}

/** One Map result: a TargetResult from run-diagnostic, or `{target, status: failed, error: {Error, Cause}}`. */
function normaliseResult(value: unknown): TargetResult {
  const result = (typeof value === 'object' && value !== null ? value : {}) as Partial<TargetResult> & {
    error?: CaughtError | { name: string; message: string };
  };
  const target = isTarget(result.target)
    ? result.target
    : { cluster: '?', taskArn: '?', container: '?', script: '?' };
  if (result.status === 'succeeded' || result.status === 'skipped')
    return { ...result, target } as TargetResult;
  const error = result.error as (CaughtError & { name?: string; message?: string }) | undefined;
  const normalised =
    error !== undefined && typeof error.name === 'string' && typeof error.message === 'string'
      ? { name: error.name, message: error.message }
      : normaliseCaughtError(error);
  const { readiness, ...rest } = result as typeof result & { readiness?: unknown };
  return { ...rest, target, status: 'failed', error: normalised, ...readinessFields(readiness) };
}

/**
 * The resolved targets of a run whose Map state failed as a whole (no per-target results): each is listed
 * as failed with the Map's error, so the manifest never shows fewer targets than the run had.
 */
function unrecordedTargets(targets: readonly Target[], mapError: ManifestError | undefined): TargetResult[] {
  const name = mapError?.name ?? 'NoResultRecorded';
  const cause = mapError === undefined ? '' : ` (${mapError.name}: ${mapError.message})`;
  return targets.filter(isTarget).map((target) => ({
    target,
    status: 'failed',
    error: {
      name,
      message: `the RunTargets Map state ended without its results${cause}; no result was recorded for this target, and its output may be incomplete`,
    },
  }));
}

/** Builds the run manifest from whatever the execution reached, and the key it belongs at. */
export function buildManifest(input: WriteReportInput, now: Date): { key: string; manifest: Manifest } {
  const { state, execution } = input;
  const prefix = state.resolved?.run?.prefix ?? runPrefix(new Date(execution.startTime), execution.name);
  const skipped = state.resolved?.skipped ?? [];
  const errors: ManifestError[] = [];
  if (state.resolveError)
    errors.push({ stage: 'ResolveTargets', ...normaliseCaughtError(state.resolveError) });
  if (state.runError) errors.push({ stage: 'RunTargets', ...normaliseCaughtError(state.runError) });
  const targets = Array.isArray(state.results)
    ? state.results.map(normaliseResult)
    : unrecordedTargets(
        state.resolved?.targets ?? [],
        errors.find((error) => error.stage === 'RunTargets'),
      );
  const succeeded = targets.filter((target) => target.status === 'succeeded').length;
  const failed = targets.filter((target) => target.status === 'failed').length;
  const outcome = succeeded === 0 ? 'failed' : failed > 0 || errors.length > 0 ? 'partial' : 'succeeded';
  const notes = Array.isArray(state.resolved?.notes)
    ? state.resolved.notes
        .filter((note): note is string => typeof note === 'string')
        .slice(0, 10)
        .map((note) => note.slice(0, MAX_MESSAGE_LENGTH))
    : [];
  return {
    key: manifestKey(prefix),
    manifest: {
      schemaVersion: 1,
      executionName: execution.name,
      startedAt: execution.startTime,
      writtenAt: now.toISOString(),
      outcome,
      summary: { targets: targets.length, succeeded, failed, skipped: skipped.length },
      request: state.request ?? null,
      targets,
      skipped,
      errors,
      ...(notes.length > 0 ? { notes } : {}),
    },
  };
}

/** The small summary WriteReport returns (the Outcome choice reads `succeeded`). */
export function summarise(key: string, manifest: Manifest): ReportSummary {
  return {
    manifestKey: key,
    outcome: manifest.outcome,
    succeeded: manifest.summary.succeeded,
    failed: manifest.summary.failed,
    skipped: manifest.summary.skipped,
  };
}
