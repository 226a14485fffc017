/** Stores the manifest; tells S3's transient failures (retried by the state machine) from permanent ones. */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Manifest } from '#lib/manifest.ts';
import { safeJson } from '#lib/untrusted-text.ts';

/** S3 could not take the manifest for now (throttling, 5xx, a timeout): Step Functions retries WriteReport. */
export class ReportStoreUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReportStoreUnavailableError';
  }
}

/** S3 refused the manifest for good (access denied, no such bucket, a KMS key refused): caught, not retried. */
export class ManifestWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ManifestWriteError';
  }
}

const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'Throttling',
  'TimeoutError',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/** True for an S3 failure that may go away on its own. */
export function isTransientS3Error(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = error as Error & {
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const status = meta.$metadata?.httpStatusCode;
  return (
    TRANSIENT_NAMES.has(error.name) ||
    (meta.code !== undefined && TRANSIENT_NAMES.has(meta.code)) ||
    meta.$retryable !== undefined ||
    (status !== undefined && (status >= 500 || status === 429))
  );
}

/** PutObject of manifest.json; throws ReportStoreUnavailableError or ManifestWriteError naming the key. */
export async function storeManifest(s3: S3Client, bucket: string, manifest: Manifest): Promise<void> {
  const key = manifest.files.manifest;
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${safeJson(manifest, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message.slice(0, 500)}` : String(error);
    if (isTransientS3Error(error)) {
      throw new ReportStoreUnavailableError(`s3://${bucket}/${key} could not be written yet (${why})`, {
        cause: error,
      });
    }
    throw new ManifestWriteError(
      `s3://${bucket}/${key} was refused (${why}); check the bucket, its policy and write-report's role`,
      { cause: error },
    );
  }
}
