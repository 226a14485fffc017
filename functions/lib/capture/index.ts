/**
 * Capture to S3: the session's raw output → exit-marker parser → redactor → output cap → S3 upload.
 * Memory stays bounded whatever the output size; a failure anywhere fails the whole pipeline and aborts
 * the upload (awaited), so no partial object is left. One exception: when the metadata CopyObject after a
 * completed multipart upload fails, the object stays with its outcome metadata reading `pending`.
 */

import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CaptureSummary } from '../ssm-session/index.ts';
import { ExitMarkerParser } from './exit-marker.ts';
import { OutputCap } from './output-cap.ts';
import { Redactor } from './redact.ts';
import { startStreamUpload } from './s3-sink.ts';

export { buildExecCommand, newNonce } from './command.ts';

/** Why the stored output stops early. */
export type TruncationReason = 'output-cap' | 'deadline' | 'aborted';

/** Options of captureToS3. */
export interface CaptureToS3Options {
  s3: S3Client;
  bucket: string;
  key: string;
  /** The session's raw output and its outcome (openSessionCapture). */
  output: Readable;
  done: Promise<CaptureSummary>;
  nonce: string;
  outputCapBytes: number;
  /** Stops the session (called when the cap is reached or the upload fails). */
  stopSession: () => void;
  /** Metadata known up front (ASCII-safe values); exit-code, bytes, truncated and redactions are added. */
  metadata: Record<string, string>;
  /** Called before the object is completed: throw to fail the capture (e.g. the container has no shell). */
  check?: (state: { exitCode: number | null; truncated: boolean; head: Buffer }) => void;
  partSize?: number;
}

/** What was stored. */
export interface CaptureToS3Result {
  bytes: number;
  exitCode: number | null;
  truncated: boolean;
  truncationReason?: TruncationReason;
  redactions: number;
  summary: CaptureSummary;
  multipart: boolean;
}

/** The outcome metadata an object carries until its final values are known. */
const PENDING_METADATA = {
  'exit-code': 'pending',
  bytes: 'pending',
  truncated: 'pending',
  'truncation-reason': 'pending',
  redactions: 'pending',
} as const;

/** The line appended to a truncated object. */
export function truncationNote(reason: TruncationReason, bytes: number): string {
  const why = {
    'output-cap': 'the output reached the script output cap',
    deadline: 'the run reached its deadline and the session was terminated',
    aborted: 'the run was aborted and the session was terminated',
  }[reason];
  return `\n[ecs-diag] output truncated after ${bytes} bytes: ${why}\n`;
}

/** Streams one session's output to S3 and reports what was stored; rejects (upload aborted) on any failure. */
export async function captureToS3(options: CaptureToS3Options): Promise<CaptureToS3Result> {
  const marker = new ExitMarkerParser(options.nonce);
  const redactor = new Redactor();
  // A multipart upload sends its metadata before the end is known: until the final values replace these
  // (PutObject, or the CopyObject after CompleteMultipartUpload), the object says they are pending.
  const metadata = Object.assign(options.metadata, PENDING_METADATA);
  let summary: CaptureSummary | undefined;
  let truncationReason: TruncationReason | undefined;
  options.done.catch(() => undefined);
  const cap = new OutputCap({
    capBytes: options.outputCapBytes,
    onCap: options.stopSession,
    trailer: async ({ capped, bytes }) => {
      summary = await options.done;
      truncationReason = capped ? 'output-cap' : summary.truncatedReason;
      const truncated = capped || summary.truncated;
      if (truncated && truncationReason === undefined) truncationReason = 'aborted';
      options.check?.({ exitCode: marker.exitCode, truncated, head: marker.head });
      const note = truncationReason === undefined ? '' : truncationNote(truncationReason, bytes);
      Object.assign(metadata, {
        'exit-code': marker.exitCode === null ? 'none' : String(marker.exitCode),
        bytes: String(bytes + Buffer.byteLength(note)),
        truncated: String(truncated),
        'truncation-reason': truncationReason ?? 'none',
        redactions: String(redactor.redactions),
      });
      return note;
    },
  });
  const body = new PassThrough();
  const upload = startStreamUpload({
    client: options.s3,
    bucket: options.bucket,
    key: options.key,
    body,
    metadata,
    ...(options.partSize === undefined ? {} : { partSize: options.partSize }),
  });
  let firstError: unknown;
  const uploading = upload.done.catch((error: unknown) => {
    firstError ??= error;
    options.stopSession();
    body.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  // A failed pipeline destroys `body` with the error: lib-storage's read of it fails, it sends
  // AbortMultipartUpload, and only then does `upload.done` reject. (upload.abort() would make `done` reject
  // at once and leave the abort request to a Lambda that may already be frozen.)
  const piping = pipeline(options.output, marker, redactor, cap, body).catch((error: unknown) => {
    firstError ??= error;
    throw error;
  });
  const [piped, uploaded] = await Promise.allSettled([piping, uploading]);
  if (piped.status === 'rejected' || uploaded.status === 'rejected' || summary === undefined) {
    throw firstError ?? new Error('the capture ended without a session summary');
  }
  return {
    bytes: cap.bytes,
    exitCode: marker.exitCode,
    truncated: truncationReason !== undefined,
    ...(truncationReason === undefined ? {} : { truncationReason }),
    redactions: redactor.redactions,
    summary,
    multipart: uploaded.value.multipart,
  };
}
