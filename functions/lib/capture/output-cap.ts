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
 * Passes at most `capBytes` bytes (cut at a UTF-8 character boundary, even when a character arrives split
 * across chunks: up to 3 bytes of an incomplete trailing character wait for the next chunk), then drops
 * the rest and calls `onCap` once; at the end appends what `trailer` returns. A rejected trailer fails
 * the stream.
 */
export class OutputCap extends Transform {
  /** Bytes passed on, trailer included once the stream has ended. */
  bytes = 0;
  capped = false;
  private readonly options: OutputCapOptions;
  private carry: Buffer = Buffer.alloc(0);

  constructor(options: OutputCapOptions) {
    super();
    this.options = options;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.capped) {
      callback();
      return;
    }
    const data = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const room = this.options.capBytes - this.bytes;
    if (data.length <= room) {
      const whole = data.length - incompleteTail(data);
      this.carry = data.subarray(whole);
      this.bytes += whole;
      callback(null, whole > 0 ? data.subarray(0, whole) : undefined);
      return;
    }
    this.carry = Buffer.alloc(0);
    const cut = utf8Boundary(data, room);
    if (cut > 0) this.push(data.subarray(0, cut));
    this.bytes += cut;
    this.capped = true;
    this.options.onCap();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (!this.capped && this.carry.length > 0) {
      // The output really ends with a partial character: stored as it came, room permitting.
      if (this.carry.length <= this.options.capBytes - this.bytes) {
        this.bytes += this.carry.length;
        this.push(this.carry);
      } else {
        this.capped = true;
        this.options.onCap();
      }
    }
    this.carry = Buffer.alloc(0);
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

/** How many bytes at the end of `data` are the start of a UTF-8 character whose rest has not arrived. */
export function incompleteTail(data: Buffer): number {
  for (let i = data.length - 1; i >= Math.max(0, data.length - 3); i -= 1) {
    const byte = data[i] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return data.length - i < length ? data.length - i : 0;
  }
  return 0;
}
