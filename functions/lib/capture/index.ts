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
import { type NewlineHandling, NewlineRestorer } from './newlines.ts';
import { OutputCap } from './output-cap.ts';
import { Redactor } from './redact.ts';
import { startStreamUpload } from './s3-sink.ts';

export { buildExecCommand, newNonce } from './command.ts';
export type { NewlineHandling } from './newlines.ts';

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
  /** The session's summary; absent when the data channel dropped after the exit status (see `interrupted`). */
  summary?: CaptureSummary;
  multipart: boolean;
  newlines: NewlineHandling;
  /**
   * The data channel dropped (SessionInterruptedError) after the exit-status marker arrived: the output is
   * complete and stored, and the error is kept here instead of failing the capture (a retry would run the
   * script a second time).
   */
  interrupted?: { name: string; message: string };
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
  const newlines = new NewlineRestorer(options.nonce);
  const marker = new ExitMarkerParser(options.nonce);
  const redactor = new Redactor();
  let dropped: Error | undefined;
  // A drop is judged at the end, once every byte before it has passed the marker parser.
  async function* sessionOutput(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of options.output) yield chunk as Buffer;
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'SessionInterruptedError') throw error;
      dropped = error;
    }
  }
  const sessionDone = async (): Promise<CaptureSummary | undefined> => {
    try {
      return await options.done;
    } catch (error) {
      if (dropped !== undefined && error === dropped && marker.exitCode !== null) return undefined;
      throw error;
    }
  };
  // A multipart upload sends its metadata before the end is known: until the final values replace these
  // (PutObject, or the CopyObject after CompleteMultipartUpload), the object says they are pending.
  const metadata = Object.assign(options.metadata, PENDING_METADATA);
  let summary: CaptureSummary | undefined;
  let ended = false;
  let truncationReason: TruncationReason | undefined;
  options.done.catch(() => undefined);
  const cap = new OutputCap({
    capBytes: options.outputCapBytes,
    onCap: options.stopSession,
    trailer: async ({ capped, bytes }) => {
      summary = await sessionDone();
      ended = true;
      truncationReason = capped ? 'output-cap' : summary?.truncatedReason;
      const truncated = capped || (summary?.truncated ?? false);
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
  const piping = pipeline(sessionOutput, newlines, marker, redactor, cap, body).catch((error: unknown) => {
    firstError ??= error;
    throw error;
  });
  const [piped, uploaded] = await Promise.allSettled([piping, uploading]);
  if (piped.status === 'rejected' || uploaded.status === 'rejected' || !ended) {
    throw firstError ?? new Error('the capture ended without a session summary');
  }
  return {
    bytes: cap.bytes,
    exitCode: marker.exitCode,
    truncated: truncationReason !== undefined,
    ...(truncationReason === undefined ? {} : { truncationReason }),
    redactions: redactor.redactions,
    ...(summary === undefined ? {} : { summary }),
    multipart: uploaded.value.multipart,
    newlines: newlines.handling,
    ...(summary === undefined && dropped !== undefined
      ? { interrupted: { name: dropped.name, message: dropped.message.slice(0, 1000) } }
      : {}),
  };
}
