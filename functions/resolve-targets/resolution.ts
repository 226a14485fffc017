/**
 * Stores a resolution in S3 (targets as JSON Lines for the Distributed Map's ItemReader, skipped entries as
 * JSON for WriteReport) and returns the fixed-size part that travels in the state.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { MapMode, ResolvedState, ResolvedTargets } from '#lib/contracts.ts';
import { mapResultsPrefix, skippedKey, targetsKey } from '#lib/s3-keys.ts';

/**
 * Most targets iterated by the inline Map. Up to here the inline Map is cheaper and quicker (no child
 * executions: about 4 transitions per target against about 6, and no map run start-up), and its results
 * stay bounded in the state: a failed result is at most about 3 KB (the error is cut by createHandler),
 * so 20 of them stay below 64 KB. Above it, the Distributed Map reads the targets from S3.
 */
export const INLINE_MAX_TARGETS = 20;
/** Skipped entries that travel in the state (the rest are only in S3). */
export const STATE_SKIPPED_LIMIT = 20;

/**
 * Hard bound of the INLINE_MAX_TARGETS setting (the old inline-only limit). Above about 50, a run where
 * every target fails can pass 256 KB again: keep the default unless you measured otherwise.
 */
export const INLINE_MAX_TARGETS_LIMIT = 200;

/** The map mode for a number of targets. */
export function mapModeFor(targetCount: number, inlineMax: number = INLINE_MAX_TARGETS): MapMode {
  return targetCount <= inlineMax ? 'inline' : 'distributed';
}

/** Writes the resolution's lists to S3 under the run prefix and returns the state's view of it. */
export async function storeResolution(
  s3: S3Client,
  bucket: string,
  resolved: ResolvedTargets & { notes?: string[] },
  inlineMax: number = INLINE_MAX_TARGETS,
): Promise<ResolvedState> {
  const prefix = resolved.run.prefix;
  const state: ResolvedState = {
    run: resolved.run,
    mode: mapModeFor(resolved.targets.length, inlineMax),
    targetCount: resolved.targets.length,
    skippedCount: resolved.skipped.length,
    targetsKey: targetsKey(prefix),
    skippedKey: skippedKey(prefix),
    resultsPrefix: mapResultsPrefix(prefix),
    skipped: resolved.skipped.slice(0, STATE_SKIPPED_LIMIT),
    maxConcurrency: resolved.maxConcurrency,
  };
  // The inline state's targets leave their task facts out (up to ~1.1 KB each, twice in the state once
  // results come back: 20 failed targets would pass 64 KB); targets.jsonl keeps them for WriteReport.
  if (state.mode === 'inline') state.targets = resolved.targets.map(({ facts: _facts, ...target }) => target);
  if (resolved.notes !== undefined) state.notes = resolved.notes;
  if (resolved.leftOut !== undefined) state.leftOut = resolved.leftOut;
  if (resolved.leftOutCount !== undefined) state.leftOutCount = resolved.leftOutCount;
  const lines = resolved.targets.map((target) => `${JSON.stringify(target)}\n`).join('');
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: state.targetsKey,
      Body: lines,
      ContentType: 'application/x-ndjson',
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: state.skippedKey,
      Body: JSON.stringify(resolved.skipped),
      ContentType: 'application/json',
    }),
  );
  return state;
}
