/**
 * Our own record of RunDiagnostic attempts: each attempt that fails writes one small JSON object under
 * `<prefix>attempts/` before its error reaches Step Functions, and a stored capture writes its capture facts
 * there (so that the result in the state stays small); WriteReport reads them into the manifest.
 * (Step Functions' execution history would hold the same facts, but reading it costs a paged,
 * low-rate API call per ~1000 events, and the local sandbox's interpreter keeps no history.)
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Target } from './contracts.ts';
import type { Attempt, CaptureFacts, TaskFacts } from './manifest.ts';
import { keySegment, lastArnSegment } from './s3-keys.ts';

/** One failed attempt, as stored. */
export interface AttemptRecord {
  target: Pick<Target, 'cluster' | 'taskArn' | 'container' | 'script'>;
  number: number;
  startedAt: string;
  endedAt: string;
  error: { name: string; message: string };
}

/** The facts of a stored capture that stay out of the execution state (each result stays small). */
export interface FactsRecord {
  target: AttemptRecord['target'];
  /** Written by earlier versions; the task facts now come from targets.jsonl. */
  task?: TaskFacts;
  capture?: CaptureFacts;
}

/** What WriteReport reads back from `<prefix>attempts/`. */
export interface RunRecords {
  attempts: Map<string, AttemptRecord[]>;
  facts: Map<string, FactsRecord>;
}

const FACTS_FILE = 'facts.json';
const MAX_MESSAGE = 1000;
/** Most records WriteReport reads per run (about 9 attempts × 200 targets, with room). */
export const MAX_ATTEMPT_RECORDS = 2000;
const READ_CONCURRENCY = 8;

/** The folder of a target's attempt records. */
export function attemptsPrefix(prefix: string, target: AttemptRecord['target']): string {
  return [
    `${prefix.replace(/\/?$/, '/')}attempts`,
    keySegment(lastArnSegment(target.cluster)),
    keySegment(lastArnSegment(target.taskArn)),
    keySegment(target.container),
    keySegment(target.script),
    '',
  ].join('/');
}

/** The key of one attempt's record. */
export function attemptKey(prefix: string, target: AttemptRecord['target'], number: number): string {
  return `${attemptsPrefix(prefix, target)}${String(number).padStart(3, '0')}.json`;
}

/** A target's identity in maps of records. */
export function targetId(target: AttemptRecord['target']): string {
  return JSON.stringify([target.cluster, target.taskArn, target.container, target.script]);
}

/** Writes one failed attempt's record (the caller bounds the time it waits). */
export async function putAttemptRecord(
  s3: S3Client,
  bucket: string,
  prefix: string,
  record: AttemptRecord,
  signal?: AbortSignal,
): Promise<void> {
  const bounded: AttemptRecord = {
    ...record,
    error: { name: record.error.name.slice(0, 256), message: record.error.message.slice(0, MAX_MESSAGE) },
  };
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: attemptKey(prefix, record.target, record.number),
      Body: JSON.stringify(bounded),
      ContentType: 'application/json',
    }),
    signal === undefined ? {} : { abortSignal: signal },
  );
}

/** Writes the capture facts of a target's stored capture (the caller bounds the time it waits). */
export async function putFactsRecord(
  s3: S3Client,
  bucket: string,
  prefix: string,
  record: FactsRecord,
  signal?: AbortSignal,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `${attemptsPrefix(prefix, record.target)}${FACTS_FILE}`,
      Body: JSON.stringify(record),
      ContentType: 'application/json',
    }),
    signal === undefined ? {} : { abortSignal: signal },
  );
}

function isFacts(value: unknown): value is FactsRecord {
  const record = value as Partial<FactsRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.target?.taskArn === 'string' &&
    (record.task === undefined || typeof record.task === 'object') &&
    (record.capture === undefined || typeof record.capture?.startedAt === 'string')
  );
}

function isRecord(value: unknown): value is AttemptRecord {
  const record = value as Partial<AttemptRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.number === 'number' &&
    typeof record.startedAt === 'string' &&
    typeof record.endedAt === 'string' &&
    typeof record.error?.name === 'string' &&
    typeof record.error.message === 'string' &&
    typeof record.target?.taskArn === 'string'
  );
}

/** Reads every attempt and facts record of a run (at most MAX_ATTEMPT_RECORDS), keyed by targetId. */
export async function readRunRecords(s3: S3Client, bucket: string, prefix: string): Promise<RunRecords> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: `${prefix.replace(/\/?$/, '/')}attempts/`,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined && keys.length < MAX_ATTEMPT_RECORDS);
  const records: AttemptRecord[] = [];
  const facts = new Map<string, FactsRecord>();
  const queue = keys.slice(0, MAX_ATTEMPT_RECORDS);
  const worker = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const text = (await object.Body?.transformToString('utf8')) ?? '';
      try {
        const parsed: unknown = JSON.parse(text);
        if (key.endsWith(`/${FACTS_FILE}`)) {
          if (isFacts(parsed)) facts.set(targetId(parsed.target), parsed);
        } else if (isRecord(parsed)) records.push(parsed);
      } catch {
        // A record that is not ours is ignored.
      }
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  const byTarget = new Map<string, AttemptRecord[]>();
  for (const record of records) {
    const id = targetId(record.target);
    byTarget.set(id, [...(byTarget.get(id) ?? []), record]);
  }
  for (const list of byTarget.values()) list.sort((a, b) => a.number - b.number);
  return { attempts: byTarget, facts };
}

/**
 * A target's attempts for the manifest: its failed attempts' records, then the attempt that produced the
 * result (its start; for a caught error, the error itself when no record of it exists); the delay before each next attempt is
 * the next start minus this end.
 */
export function mergeAttempts(
  records: readonly AttemptRecord[],
  final: { attempts?: number; startedAt?: string; error?: { name: string; message: string } },
): Attempt[] {
  const attempts: Attempt[] = records.map((record) => ({
    number: record.number,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    error: record.error,
  }));
  const last = attempts.at(-1);
  const lastNumber = last?.number ?? 0;
  if (final.error === undefined) {
    const attempt: Attempt = { number: Math.max(final.attempts ?? lastNumber + 1, lastNumber + 1) };
    if (final.startedAt !== undefined) attempt.startedAt = final.startedAt;
    attempts.push(attempt);
  } else if (last?.error?.name !== final.error.name) {
    // The failure that ended the target left no record (a Lambda timeout, a crash): it is the last attempt.
    attempts.push({ number: lastNumber + 1, error: final.error });
  }
  for (let i = 0; i < attempts.length - 1; i += 1) {
    const current = attempts[i] as Attempt;
    const next = attempts[i + 1] as Attempt;
    const end = Date.parse(current.endedAt ?? '');
    const start = Date.parse(next.startedAt ?? '');
    if (!Number.isNaN(end) && !Number.isNaN(start)) current.delayBeforeNextMs = Math.max(0, start - end);
  }
  return attempts;
}
