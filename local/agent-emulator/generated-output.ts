import { Readable } from 'node:stream';

const READ_SIZE = 64 * 1024;

/**
 * Deterministic generated output of exactly `totalBytes` bytes: numbered CRLF lines with multi-byte UTF-8
 * characters (2, 3 and 4 bytes) so chunk boundaries fall inside characters. The last line may be cut short.
 */
export function generatedOutput(totalBytes: number): Readable {
  let produced = 0;
  let lineNumber = 0;
  let carry = Buffer.alloc(0);
  return new Readable({
    highWaterMark: READ_SIZE,
    read() {
      if (produced >= totalBytes) {
        this.push(null);
        return;
      }
      const want = Math.min(READ_SIZE, totalBytes - produced);
      const parts: Buffer[] = [carry];
      let size = carry.length;
      while (size < want) {
        lineNumber += 1;
        const line = Buffer.from(
          `${String(lineNumber).padStart(9, '0')} données ☕ € 😀 ${'x'.repeat(lineNumber % 37)}\r\n`,
        );
        parts.push(line);
        size += line.length;
      }
      const block = Buffer.concat(parts, size);
      carry = Buffer.from(block.subarray(want));
      produced += want;
      this.push(block.subarray(0, want));
    },
  });
}
