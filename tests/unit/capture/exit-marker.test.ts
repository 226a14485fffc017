import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { MARKER_PREFIX } from '#lib/capture/command.ts';
import { ExitMarkerParser } from '#lib/capture/exit-marker.ts';

const NONCE = '0123456789abcdef0123456789abcdef';
const MARKER = `${MARKER_PREFIX}${NONCE}=`;

async function parse(chunks: Buffer[]): Promise<{ output: string; exitCode: number | null }> {
  const parser = new ExitMarkerParser(NONCE);
  const output = await buffer(Readable.from(chunks).pipe(parser));
  return { output: output.toString('utf8'), exitCode: parser.exitCode };
}

function splitAt(text: string, ...cuts: number[]): Buffer[] {
  const data = Buffer.from(text, 'utf8');
  const points = [0, ...cuts, data.length];
  return points.slice(1).map((end, i) => data.subarray(points[i], end));
}

describe('capture/exit-marker', () => {
  it('removes the marker and its CRLF at every split point and records the status', async () => {
    const text = `line one\r\nlast line, no newline${MARKER}42\r\n`;
    const bytes = Buffer.byteLength(text);
    for (let cut = 0; cut <= bytes; cut += 1) {
      for (const second of [cut, Math.min(bytes, cut + 3), Math.min(bytes, cut + 37)]) {
        const result = await parse(splitAt(text, cut, second));

        expect(result).toEqual({ output: 'line one\r\nlast line, no newline', exitCode: 42 });
      }
    }
  });

  it('handles one-byte chunks, LF endings and output after the marker', async () => {
    const text = `héllo\n${MARKER}0\nafter\n`;

    const result = await parse([...Buffer.from(text)].map((byte) => Buffer.from([byte])));

    expect(result).toEqual({ output: 'héllo\nafter\n', exitCode: 0 });
  });

  it('keeps text that only looks like a marker (another nonce, no digits) and reports no status', async () => {
    const text = `${MARKER_PREFIX}ffff=1\r\n${MARKER}x\r\n${MARKER_PREFIX}`;

    const result = await parse(splitAt(text, 5, 40));

    expect(result).toEqual({ output: text, exitCode: null });
  });

  it('accepts a marker cut off at the very end of the stream', async () => {
    const result = await parse([Buffer.from(`out\r\n${MARKER}127`)]);

    expect(result).toEqual({ output: 'out\r\n', exitCode: 127 });
  });

  it('keeps the first bytes for error classification', async () => {
    const parser = new ExitMarkerParser(NONCE);

    await buffer(Readable.from([Buffer.from('exec failed: '), Buffer.from('no /bin/sh')]).pipe(parser));

    expect(parser.head.toString()).toBe('exec failed: no /bin/sh');
  });
});
