import type { Readable } from 'node:stream';
import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { OutputNotStoredError } from '../errors.ts';

/** The content type of every stored output. */
export const OUTPUT_CONTENT_TYPE = 'text/plain; charset=utf-8';

/** lib-storage part size: S3's 5 MiB minimum, below the local S3 server's 11 MiB body cap. */
export const PART_SIZE = 5 * 1024 * 1024;

/** Options of one streamed upload. */
export interface StreamUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  body: Readable;
  /**
   * The object's user metadata (ASCII values only). The object is mutated up to the end of `body`:
   * a single-part upload sends it with PutObject at the end; after a multipart upload (whose metadata went
   * out with CreateMultipartUpload) it is applied with an in-place CopyObject (MetadataDirective REPLACE).
   */
  metadata: Record<string, string>;
  partSize?: number;
}

/**
 * Streams `body` to S3 with lib-storage (memory bounded by the part size and queue size). On any failure,
 * of S3 or of the body stream, lib-storage aborts the multipart upload (leavePartsOnError false), so no
 * partial object is left; the returned promise rejects with the failure.
 */
export function startStreamUpload(options: StreamUploadOptions): {
  done: Promise<{ multipart: boolean }>;
  abort: () => void;
} {
  let multipart = false;
  const upload = new Upload({
    client: options.client,
    partSize: options.partSize ?? PART_SIZE,
    queueSize: 2,
    leavePartsOnError: false,
    params: {
      Bucket: options.bucket,
      Key: options.key,
      Body: options.body,
      ContentType: OUTPUT_CONTENT_TYPE,
      Metadata: options.metadata,
    },
  });
  upload.on('httpUploadProgress', (progress) => {
    if ((progress.part ?? 1) > 1) multipart = true;
  });
  const done = upload.done().catch((error: unknown) => {
    throw s3Refusal(error, options) ?? error;
  });
  const stored = done.then(async () => {
    if (multipart) {
      await options.client.send(
        new CopyObjectCommand({
          Bucket: options.bucket,
          Key: options.key,
          CopySource: `${options.bucket}/${options.key.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          ContentType: OUTPUT_CONTENT_TYPE,
          Metadata: options.metadata,
        }),
      );
    }
    return { multipart };
  });
  return { done: stored, abort: () => void upload.abort().catch(() => undefined) };
}

/**
 * An S3 error answer (it carries `$metadata`) as an OutputNotStoredError naming the key, the code, the HTTP status
 * and the attempts; anything else (the body stream's own failure) is left as it is.
 */
function s3Refusal(error: unknown, options: StreamUploadOptions): OutputNotStoredError | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number; attempts?: number } } | null)
    ?.$metadata;
  if (!(error instanceof Error) || metadata === undefined) return undefined;
  const status = metadata.httpStatusCode === undefined ? '' : `HTTP ${metadata.httpStatusCode}, `;
  const attempts = metadata.attempts ?? 1;
  return new OutputNotStoredError(
    `S3 did not store s3://${options.bucket}/${options.key}: ${error.name}: ${error.message} (${status}${attempts} attempt${attempts === 1 ? '' : 's'}); the upload was aborted, so no partial object is left. The script ran; its output is lost: run it again once S3 answers`,
    { cause: error },
  );
}
