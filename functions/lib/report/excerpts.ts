/** The first part of each target's output, read from S3 with ranged GetObject calls, for the report page. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Manifest } from '../manifest.ts';

/** The first part of one stored output. */
export interface OutputExcerpt {
  s3Key: string;
  /** The excerpt, decoded as UTF-8 (an incomplete character at the cut is dropped). */
  text: string;
  /** Bytes read into the excerpt. */
  excerptBytes: number;
  /** The whole object's size. */
  totalBytes: number;
  /** Set when the object could not be read: the page says so instead of an excerpt. */
  error?: string;
}

/** Excerpts by the target's S3 key. */
export type Excerpts = ReadonlyMap<string, OutputExcerpt>;

export interface ExcerptLimits {
  /** At most this many bytes per output (default 64 KiB). */
  perOutputBytes?: number;
  /** At most this many bytes for all excerpts together (default 2 MiB): big runs get shorter excerpts. */
  totalBytes?: number;
  /** Parallel GetObject calls (default 16). */
  concurrency?: number;
}

export const DEFAULT_EXCERPT_BYTES = 64 * 1024;
export const DEFAULT_TOTAL_EXCERPT_BYTES = 2 * 1024 * 1024;
const MIN_EXCERPT_BYTES = 1024;

/** The per-output excerpt size for a run with `outputs` stored outputs under the given limits. */
export function excerptSize(outputs: number, limits: ExcerptLimits = {}): number {
  const perOutput = limits.perOutputBytes ?? DEFAULT_EXCERPT_BYTES;
  const total = limits.totalBytes ?? DEFAULT_TOTAL_EXCERPT_BYTES;
  if (outputs === 0) return perOutput;
  return Math.max(Math.min(perOutput, MIN_EXCERPT_BYTES), Math.min(perOutput, Math.floor(total / outputs)));
}

/** Decodes UTF-8 bytes cut at an arbitrary point, leaving out a character the cut split. */
export function decodeCut(bytes: Uint8Array, cut: boolean): string {
  return new TextDecoder('utf-8').decode(bytes, { stream: cut });
}

function totalFromContentRange(range: string | undefined): number | undefined {
  const match = /\/(\d+)$/.exec(range ?? '');
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

async function readOne(
  s3: S3Client,
  bucket: string,
  key: string,
  knownBytes: number | undefined,
  size: number,
): Promise<OutputExcerpt> {
  if (knownBytes === 0) return { s3Key: key, text: '', excerptBytes: 0, totalBytes: 0 };
  try {
    const got = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=0-${size - 1}` }),
    );
    const bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
    const head = bytes.subarray(0, size);
    const totalBytes = totalFromContentRange(got.ContentRange) ?? got.ContentLength ?? head.length;
    return {
      s3Key: key,
      text: decodeCut(head, totalBytes > head.length),
      excerptBytes: head.length,
      totalBytes: Math.max(totalBytes, head.length),
    };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'InvalidRange') return { s3Key: key, text: '', excerptBytes: 0, totalBytes: 0 };
    return {
      s3Key: key,
      text: '',
      excerptBytes: 0,
      totalBytes: knownBytes ?? 0,
      error: `${name}: ${(error as Error).message}`.slice(0, 300),
    };
  }
}

/**
 * Reads the first part of every stored output of a run (one ranged GetObject each, a bounded number at a
 * time). A read that fails becomes an excerpt with `error`, so the report is still written.
 */
export async function readExcerpts(
  s3: S3Client,
  bucket: string,
  manifest: Pick<Manifest, 'targets'>,
  limits: ExcerptLimits = {},
): Promise<Map<string, OutputExcerpt>> {
  const stored = new Map<string, number | undefined>();
  for (const target of manifest.targets) {
    if (typeof target.s3Key === 'string' && target.s3Key !== '') stored.set(target.s3Key, target.bytes);
  }
  const size = excerptSize(stored.size, limits);
  const queue = [...stored.entries()];
  const excerpts = new Map<string, OutputExcerpt>();
  const workers = Array.from({ length: Math.min(limits.concurrency ?? 16, queue.length) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [key, bytes] = next;
      excerpts.set(key, await readOne(s3, bucket, key, bytes, size));
    }
  });
  await Promise.all(workers);
  return excerpts;
}
