import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { OutputCap } from '#lib/capture/output-cap.ts';

const TEXT = 'ab€d日本🙂z';

async function capped(chunks: Buffer[], capBytes: number): Promise<{ out: Buffer; bytes: number }> {
  const cap = new OutputCap({ capBytes, onCap: () => undefined, trailer: async () => '' });
  const out = await buffer(Readable.from(chunks).pipe(cap));
  return { out, bytes: cap.bytes };
}

describe('capture/output-cap with characters split across chunks', () => {
  it('never stores part of a character, wherever the chunks and the cap fall', async () => {
    // The redactor re-chunks at arbitrary bytes, so a character may arrive in two chunks
    const data = Buffer.from(TEXT);
    for (let split = 0; split <= data.length; split += 1) {
      for (let capBytes = 0; capBytes <= data.length; capBytes += 1) {
        // Act
        const { out, bytes } = await capped([data.subarray(0, split), data.subarray(split)], capBytes);

        // Assert: a whole-character prefix of the input, as long as the cap allows
        const text = out.toString('utf8');
        expect(text.includes('\ufffd')).toBe(false);
        expect(TEXT.startsWith(text)).toBe(true);
        expect(out.length).toBeLessThanOrEqual(capBytes);
        expect(out.length).toBeGreaterThan(capBytes - 4);
        expect(bytes).toBe(out.length);
      }
    }
  });

  it('passes output below the cap unchanged, a trailing partial character included', async () => {
    const data = Buffer.concat([Buffer.from('ok '), Buffer.from('€').subarray(0, 2)]);

    const { out } = await capped([data.subarray(0, 4), data.subarray(4)], 100);

    expect(out.equals(data)).toBe(true);
  });
});
