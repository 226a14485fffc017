import { Transform, type TransformCallback } from 'node:stream';
import { MARKER_PREFIX } from './command.ts';

const HEAD_SAMPLE_BYTES = 2048;
const MAX_STATUS_DIGITS = 3;

/**
 * Removes the exit-status marker `__ECSDIAG_RC_<nonce>=<status>` (and its CRLF or LF) from the output
 * stream and records the status, even when the marker arrives split across chunks. Holds back at most
 * the marker's length between chunks. Also keeps the first bytes of output for error classification.
 */
export class ExitMarkerParser extends Transform {
  /** The script's exit status, or null while (or if) no marker was seen. */
  exitCode: number | null = null;
  /** The first bytes of raw output (for telling "no /bin/sh" apart from a script failure). */
  head: Buffer = Buffer.alloc(0);
  private readonly marker: Buffer;
  private readonly holdBytes: number;
  private pending: Buffer = Buffer.alloc(0);

  constructor(nonce: string) {
    super();
    this.marker = Buffer.from(`${MARKER_PREFIX}${nonce}=`, 'latin1');
    this.holdBytes = this.marker.length + MAX_STATUS_DIGITS + 2;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.head.length < HEAD_SAMPLE_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_SAMPLE_BYTES - this.head.length)]);
    }
    if (this.exitCode !== null) {
      callback(null, chunk);
      return;
    }
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.scan(false);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.exitCode === null) this.scan(true);
    if (this.pending.length > 0) this.push(this.pending);
    this.pending = Buffer.alloc(0);
    callback();
  }

  private scan(final: boolean): void {
    const data = this.pending;
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      const parsed = parseStatus(data, at + this.marker.length, final);
      if (parsed === 'incomplete') {
        if (at > 0) this.push(data.subarray(0, at));
        this.pending = data.subarray(at);
        return;
      }
      if (parsed !== 'invalid') {
        this.exitCode = parsed.status;
        if (at > 0) this.push(data.subarray(0, at));
        this.pending = Buffer.alloc(0);
        if (parsed.end < data.length) this.push(data.subarray(parsed.end));
        return;
      }
    }
    if (final) return;
    const keep = Math.min(data.length, this.holdBytes);
    if (data.length > keep) this.push(data.subarray(0, data.length - keep));
    this.pending = data.subarray(data.length - keep);
  }
}

/** Reads `<digits>\r?\n` at `from`; 'incomplete' when the data may still continue. */
function parseStatus(
  data: Buffer,
  from: number,
  final: boolean,
): { status: number; end: number } | 'incomplete' | 'invalid' {
  let i = from;
  while (i < data.length && i - from < MAX_STATUS_DIGITS && isDigit(data[i])) i += 1;
  const digits = i - from;
  if (i === data.length && !final) return 'incomplete';
  if (digits === 0) return 'invalid';
  const status = Number(data.toString('latin1', from, i));
  if (i === data.length) return { status, end: i };
  if (data[i] === 0x0a) return { status, end: i + 1 };
  if (data[i] === 0x0d) {
    if (i + 1 === data.length) return final ? { status, end: i + 1 } : 'incomplete';
    return { status, end: data[i + 1] === 0x0a ? i + 2 : i + 1 };
  }
  return 'invalid';
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}
