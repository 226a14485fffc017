/** The task's full readiness findings in S3, next to its outputs: `<prefix><cluster>/<task-id>/readiness.json`. */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Target } from '#lib/contracts.ts';
import type { ReadinessCheck } from '#lib/readiness/index.ts';
import { keySegment, lastArnSegment } from '#lib/s3-keys.ts';

/** The findings' key for a target's task. */
export function readinessKey(prefix: string, target: Pick<Target, 'cluster' | 'taskArn'>): string {
  return [
    prefix.replace(/\/?$/, ''),
    keySegment(lastArnSegment(target.cluster)),
    keySegment(lastArnSegment(target.taskArn)),
    'readiness.json',
  ].join('/');
}

/** The findings already stored for the task, or undefined when there are none (or they are unreadable). */
export async function readStoredFindings(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<ReadinessCheck[] | undefined> {
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const parsed = JSON.parse((await answer.Body?.transformToString()) ?? '') as { checks?: unknown };
    return Array.isArray(parsed.checks) ? (parsed.checks as ReadinessCheck[]) : undefined;
  } catch (error) {
    if (error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound')) return undefined;
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Stores the task's findings. */
export async function storeFindings(s3: S3Client, bucket: string, key: string, body: object): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: `${JSON.stringify(body, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
}
