/**
 * Reading a run's objects back from S3: its manifest (schema 1 or 2) and every file under its prefix.
 * Used by the CLI (`show`, `runs`) and the sandbox; the keys come from s3-keys.ts, never from user text.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Manifest, ManifestTarget, TargetStatus } from './manifest.ts';
import { manifestKey, runPrefix } from './s3-keys.ts';

/** The manifest of the execution `name` that started at `startedAt`, or undefined when there is none (yet). */
export async function readManifest(
  s3: S3Client,
  bucket: string,
  name: string,
  startedAt: Date,
): Promise<{ key: string; manifest: Manifest } | undefined> {
  const key = manifestKey(runPrefix(startedAt, name));
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const parsed = JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null') as unknown;
    return { key, manifest: upgradeManifest(parsed) };
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** A v2 manifest from a stored one: v2 as it is, v1 (written before the schema moved) upgraded. */
export function upgradeManifest(value: unknown): Manifest {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (record.schemaVersion === 2) return record as unknown as Manifest;
  if (record.schemaVersion !== 1) {
    throw new Error(`not a run manifest (schemaVersion ${JSON.stringify(record.schemaVersion)})`);
  }
  const targets = (Array.isArray(record.targets) ? record.targets : []).map((entry): ManifestTarget => {
    const old = entry as Record<string, unknown> & { attempts?: number };
    const status: TargetStatus = old.status === 'succeeded' ? 'succeeded' : 'failed';
    const attempts = Array.from({ length: typeof old.attempts === 'number' ? old.attempts : 1 }, (_, i) => ({
      number: i + 1,
    }));
    return { ...(old as unknown as ManifestTarget), status, attempts };
  });
  const byStatus: Record<TargetStatus, number> = { succeeded: 0, partial: 0, 'not-applicable': 0, failed: 0 };
  for (const target of targets) byStatus[target.status] += 1;
  const skipped = Array.isArray(record.skipped) ? (record.skipped as Manifest['skipped']) : [];
  const prefix = typeof record.executionName === 'string' ? record.executionName : '';
  return {
    ...(record as unknown as Manifest),
    schemaVersion: 2,
    targets,
    skipped,
    leftOut: [],
    errors: Array.isArray(record.errors) ? (record.errors as Manifest['errors']) : [],
    summary: { targets: targets.length, byStatus, skipped: skipped.length, leftOut: 0 },
    files: { manifest: prefix, summary: '', report: '' },
  };
}

/**
 * Downloads every object under `prefix` into `destination`, keeping the layout below the prefix; a key that
 * would land outside `destination` is left out. Returns the absolute paths written.
 */
export async function downloadPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  destination: string,
): Promise<string[]> {
  const root = resolve(destination);
  const written: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? '';
      const path = resolve(root, key.slice(prefix.length));
      if (path === root || !path.startsWith(root + sep)) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, (await body.Body?.transformToByteArray()) ?? new Uint8Array());
      written.push(path);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return written.sort();
}
