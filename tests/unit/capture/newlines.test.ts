import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { PRELUDE_PREFIX } from '#lib/capture/command.ts';
import { NewlineRestorer } from '#lib/capture/newlines.ts';

const nonce = 'a'.repeat(32);

async function restore(chunks: string[]): Promise<{ text: string; handling: string }> {
  const restorer = new NewlineRestorer(nonce);
  const out = await buffer(Readable.from(chunks.map((chunk) => Buffer.from(chunk, 'latin1'))).pipe(restorer));
  return { text: out.toString('latin1'), handling: restorer.handling };
}

/** Every way to cut `text` into two chunks. */
function splits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);
}

describe('NewlineRestorer', () => {
  it('passes output through unchanged when stty -onlcr worked (the prelude ends in \\n), wherever chunks split', async () => {
    const raw = `${PRELUDE_PREFIX}${nonce}\nline one\r\nkept \\r\\n as printed\n`;
    for (const chunks of splits(raw)) {
      expect(await restore(chunks)).toEqual({
        text: 'line one\r\nkept \\r\\n as printed\n',
        handling: 'stty-onlcr-off',
      });
    }
  });

  it('undoes the pty translation (\\r\\n → \\n) when the prelude ends in \\r\\n, wherever chunks split', async () => {
    const raw = `${PRELUDE_PREFIX}${nonce}\r\none\r\ntwo\r\r\nbare \r stays\r\n`;
    for (const chunks of splits(raw)) {
      expect(await restore(chunks)).toEqual({ text: 'one\ntwo\r\nbare \r stays\n', handling: 'crlf-undone' });
    }
  });

  it('treats output without the prelude (no shell: the agent wrote it) as translated', async () => {
    expect(await restore(['exec failed\r\n', 'no such file\r'])).toEqual({
      text: 'exec failed\nno such file\r',
      handling: 'crlf-undone',
    });
  });
});
