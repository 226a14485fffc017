import { Transform, type TransformCallback } from 'node:stream';

/** Options of an OutputCap. */
export interface OutputCapOptions {
  /** Bytes passed on at most (the trailer is extra). */
  capBytes: number;
  /** Called once, when the cap is reached (the caller stops the session). */
  onCap: () => void;
  /** Called at the end of the stream: text appended after the output (e.g. a truncation note), or ''. */
  trailer: (state: { capped: boolean; bytes: number }) => Promise<string>;
}

/**
 * Passes at most `capBytes` bytes (cut at a UTF-8 character boundary), then drops the rest and calls
 * `onCap` once; at the end appends what `trailer` returns. A rejected trailer fails the stream.
 */
export class OutputCap extends Transform {
  /** Bytes passed on, trailer included once the stream has ended. */
  bytes = 0;
  capped = false;
  private readonly options: OutputCapOptions;

  constructor(options: OutputCapOptions) {
    super();
    this.options = options;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.capped) {
      callback();
      return;
    }
    const room = this.options.capBytes - this.bytes;
    if (chunk.length <= room) {
      this.bytes += chunk.length;
      callback(null, chunk);
      return;
    }
    const cut = utf8Boundary(chunk, room);
    if (cut > 0) this.push(chunk.subarray(0, cut));
    this.bytes += cut;
    this.capped = true;
    this.options.onCap();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.options.trailer({ capped: this.capped, bytes: this.bytes }).then(
      (text) => {
        if (text !== '') {
          const data = Buffer.from(text, 'utf8');
          this.bytes += data.length;
          this.push(data);
        }
        callback();
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}

/** The largest cut ≤ limit that does not split a UTF-8 character. */
export function utf8Boundary(data: Buffer, limit: number): number {
  if (limit >= data.length) return data.length;
  let cut = Math.max(0, limit);
  while (cut > 0 && ((data[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  return cut;
}
