/** Shared pieces of the data-channel integration tests (not a test file). */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** Consumes a capture's output, hashing it, without keeping it. */
export async function hashOutput(output: Readable): Promise<{ sha256: string; bytes: number; text: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let head = '';
  for await (const chunk of output) {
    const data = chunk as Buffer;
    hash.update(data);
    bytes += data.length;
    if (head.length < 4096) head += data.toString('utf8');
  }
  return { sha256: hash.digest('hex'), bytes, text: head };
}
