/**
 * Where WriteReport takes the targets' results from. Today: the Map state's inline `results` in the execution
 * state; a run whose Map failed as a whole lists its resolved targets as failed. (The fleet path, results in
 * S3, plugs in here.)
 */
import type { Target, TargetResult } from '#lib/contracts.ts';
import { type CaughtError, normaliseCaughtError } from './errors.ts';

function isTarget(value: unknown): value is Target {
  const target = value as Partial<Target> | null;
  return typeof target === 'object' && target !== null && typeof target.taskArn === 'string';
}

const UNKNOWN_TARGET: Target = { cluster: '?', taskArn: '?', container: '?', script: '?' };

import { readinessFields } from './readiness.ts';

const STORED = new Set(['succeeded', 'partial', 'not-applicable']);

/** One Map result: a TargetResult from run-diagnostic, or `{target, status: failed, error: {Error, Cause}}`. */
export function normaliseResult(value: unknown): TargetResult {
  const result = (typeof value === 'object' && value !== null ? value : {}) as Partial<TargetResult> & {
    error?: CaughtError | { name: string; message: string };
  };
  const target = isTarget(result.target) ? result.target : UNKNOWN_TARGET;
  if (typeof result.status === 'string' && STORED.has(result.status)) {
    return { ...result, target } as TargetResult;
  }
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
export function unrecordedTargets(
  targets: readonly unknown[],
  mapError: { name: string; message: string } | undefined,
): TargetResult[] {
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

/** The results held inline in the execution state. */
export function inlineResults(
  state: { results?: unknown[]; resolved?: { targets?: unknown[] } },
  mapError: { name: string; message: string } | undefined,
): TargetResult[] {
  return Array.isArray(state.results)
    ? state.results.map(normaliseResult)
    : unrecordedTargets(state.resolved?.targets ?? [], mapError);
}
