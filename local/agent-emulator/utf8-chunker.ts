/** The agent's read size: the largest output payload it sends (spec section 5). */
export const STREAM_DATA_PAYLOAD_SIZE = 1024;

/**
 * Where to cut `buffer` at or before `limit` so that no multi-byte UTF-8 character is split: the cut moves back
 * over an incomplete trailing sequence (at most 3 bytes); invalid bytes are not protected and pass through.
 */
export function utf8SafeCut(buffer: Buffer, limit: number): number {
  const end = Math.min(limit, buffer.length);
  let start = end - 1;
  while (start >= 0 && end - start <= 4 && ((buffer[start] ?? 0) & 0xc0) === 0x80) start -= 1;
  if (start < 0 || end - start > 4) return end;
  const lead = buffer[start] ?? 0;
  const length = lead >= 0xf0 && lead < 0xf8 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (lead >= 0xf8) return end;
  if (start + length > end) return start;
  return end;
}

/**
 * Splits a byte stream into payloads of at most 1024 bytes without splitting a UTF-8 character across two
 * payloads; an incomplete character at the end of what has arrived is carried until more bytes come.
 */
export class Utf8Chunker {
  private pending: Buffer = Buffer.alloc(0);
  private readonly fullChunks: boolean;

  /** `fullChunks`: hold a short tail until more bytes come (generated output), instead of sending it at once (pty). */
  constructor(options: { fullChunks?: boolean } = {}) {
    this.fullChunks = options.fullChunks ?? false;
  }

  /** Adds bytes; returns the complete chunks now available. */
  push(data: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    const chunks: Buffer[] = [];
    while (this.pending.length > STREAM_DATA_PAYLOAD_SIZE) {
      const cut = utf8SafeCut(this.pending, STREAM_DATA_PAYLOAD_SIZE);
      chunks.push(this.pending.subarray(0, cut));
      this.pending = this.pending.subarray(cut);
    }
    if (this.fullChunks) {
      this.pending = Buffer.from(this.pending);
      return chunks;
    }
    const cut = utf8SafeCut(this.pending, this.pending.length);
    if (cut > 0) chunks.push(this.pending.subarray(0, cut));
    // An incomplete trailing character waits for the bytes that complete it.
    this.pending = Buffer.from(this.pending.subarray(cut));
    return chunks;
  }

  /** Whatever is left at the end of the stream (an incomplete character passes through as it is). */
  flush(): Buffer[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest.length > 0 ? [rest] : [];
  }
}
