/**
 * Loads what a run produced for WriteReport: the per-target results from the Distributed Map's
 * ResultWriter files in S3 (its manifest.json names SUCCEEDED_n, FAILED_n and PENDING_n files), or from
 * the state for an inline run; the skipped entries and, when no result exists, the targets from the lists
 * ResolveTargets stored in S3. Nothing here reads a list that grows with the run from the state.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ResolvedState, SkippedTarget, Target } from '#lib/contracts.ts';
import type { WriteReportInput } from './report.ts';

/** The Distributed Map's output with a ResultWriter (`ResultPath: $.mapRun`). */
export interface MapRunOutput {
  MapRunArn?: string;
  ResultWriterDetails?: { Bucket?: string; Key?: string };
}

/** ResultWriter's manifest.json. */
interface ResultWriterManifest {
  DestinationBucket?: string;
  MapRunArn?: string;
  ResultFiles?: Partial<Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size?: number }[]>>;
}

/** One child execution in a result file. */
interface ChildExecution {
  Input?: string;
  Output?: string;
  Status?: string;
  Error?: string;
  Cause?: string;
}

/** The execution state as WriteReport receives it, with this module's fields. */
export type RunState = Omit<WriteReportInput['state'], 'resolved'> & {
  resolved?: Partial<ResolvedState>;
  mapRun?: MapRunOutput;
};

/** Thrown when a result file is not what ResultWriter writes. */
export class ResultFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultFilesError';
  }
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await answer.Body?.transformToString('utf8')) ?? '';
  try {
    return JSON.parse(text);
  } catch {
    throw new ResultFilesError(`s3://${bucket}/${key} is not JSON`);
  }
}

function parseEmbedded(text: string | undefined): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A child execution as a Map result: its output, or a failure with the child's error and its target. */
function childResult(child: ChildExecution, status: 'SUCCEEDED' | 'FAILED' | 'PENDING'): unknown {
  const output = parseEmbedded(child.Output);
  if (status === 'SUCCEEDED' && typeof output === 'object' && output !== null) return output;
  const input = parseEmbedded(child.Input) as { target?: Target } | undefined;
  const error =
    status === 'PENDING'
      ? { Error: 'States.MapRunPending', Cause: 'the map run ended before this target ran' }
      : { Error: child.Error ?? 'States.ChildExecutionFailed', Cause: child.Cause ?? '' };
  return { target: input?.target, status: 'failed', error };
}

/** Every child execution's result, read from the files a ResultWriter manifest lists. */
export async function loadMapResults(
  s3: S3Client,
  mapRun: MapRunOutput,
  fallbackBucket: string,
): Promise<unknown[]> {
  const bucket = mapRun.ResultWriterDetails?.Bucket ?? fallbackBucket;
  const key = mapRun.ResultWriterDetails?.Key;
  if (key === undefined) throw new ResultFilesError('the map run output has no ResultWriterDetails.Key');
  const manifest = (await readJson(s3, bucket, key)) as ResultWriterManifest;
  const destination = manifest.DestinationBucket ?? bucket;
  const results: unknown[] = [];
  for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
    for (const file of manifest.ResultFiles?.[status] ?? []) {
      const children = await readJson(s3, destination, file.Key);
      if (!Array.isArray(children))
        throw new ResultFilesError(`s3://${destination}/${file.Key} is not a JSON array`);
      for (const child of children as ChildExecution[]) results.push(childResult(child, status));
    }
  }
  return results;
}

/** Results grouped by cluster, then service, then task (result files come in completion order). */
function byServiceOrder(results: unknown[]): unknown[] {
  const key = (result: unknown) => {
    const target = (result as { target?: Partial<Target> } | null)?.target;
    return `${target?.cluster ?? ''}\u0000${target?.service ?? ''}\u0000${target?.taskArn ?? ''}\u0000${target?.container ?? ''}`;
  };
  return results
    .map((result) => ({ result, key: key(result) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.result);
}

async function loadTargets(s3: S3Client, bucket: string, key: string): Promise<Target[]> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const text = (await answer.Body?.transformToString('utf8')) ?? '';
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Target);
}

/**
 * The run's targets as ResolveTargets stored them (targets.jsonl, with each target's task facts), or
 * undefined when the state names no list.
 */
export async function loadResolvedTargets(
  s3: S3Client,
  bucket: string,
  state: RunState,
): Promise<Target[] | undefined> {
  const key = state.resolved?.targetsKey;
  return key === undefined ? undefined : loadTargets(s3, bucket, key);
}

/**
 * The state WriteReport's manifest builder expects: `results` from S3 (distributed) or the state (inline),
 * `resolved.skipped` and, for a run without results, `resolved.targets` complete from S3 (`stored`, when
 * the caller already read them).
 */
export async function loadRunState(
  s3: S3Client,
  bucket: string,
  state: RunState,
  stored?: Target[],
): Promise<WriteReportInput['state']> {
  const { mapRun, resolved, ...rest } = state;
  const loaded: WriteReportInput['state'] = { ...rest };
  if (mapRun !== undefined) loaded.results = byServiceOrder(await loadMapResults(s3, mapRun, bucket));
  if (resolved !== undefined && resolved.run !== undefined) {
    const skipped: SkippedTarget[] =
      resolved.skippedKey !== undefined && (resolved.skippedCount ?? 0) > (resolved.skipped?.length ?? 0)
        ? ((await readJson(s3, bucket, resolved.skippedKey)) as SkippedTarget[])
        : (resolved.skipped ?? []);
    const targets =
      loaded.results === undefined && resolved.targets === undefined && resolved.targetsKey !== undefined
        ? (stored ?? (await loadTargets(s3, bucket, resolved.targetsKey)))
        : (resolved.targets ?? []);
    loaded.resolved = {
      run: resolved.run,
      targets,
      skipped,
      maxConcurrency: resolved.maxConcurrency ?? 0,
      ...(resolved.notes !== undefined ? { notes: resolved.notes } : {}),
    };
  }
  return loaded;
}
