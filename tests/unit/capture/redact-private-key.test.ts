import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { Redactor, redactBuffer } from '#lib/capture/redact.ts';

const BODY = `MIIEowIBAAKCAQEA7xSECRETKEYMATERIAL${'Q'.repeat(64)}\n${'R'.repeat(64)}\n`;

async function redactStream(data: Buffer): Promise<{ text: string; count: number }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 1024) chunks.push(data.subarray(i, i + 1024));
  const redactor = new Redactor();
  const out = await buffer(Readable.from(chunks).pipe(redactor));
  return { text: out.toString('latin1'), count: redactor.redactions };
}

describe('capture/redact private key blocks without an END line', () => {
  it('redacts a block cut off by the end of the output (a run stopped at its deadline)', async () => {
    // Arrange
    const data = Buffer.from(`${'x'.repeat(70_000)}\n-----BEGIN RSA PRIVATE KEY-----\n${BODY}`);

    // Act
    const streamed = await redactStream(data);
    const whole = redactBuffer(data);

    // Assert
    for (const text of [streamed.text, whole.data.toString('latin1')]) {
      expect(text).not.toContain('SECRETKEYMATERIAL');
      expect(text).toContain('[REDACTED:private-key]');
    }
    expect(streamed.count).toBe(1);
  });

  it('redacts only the key-shaped lines after a BEGIN line whose END never comes, not the output after them', async () => {
    // Arrange
    const data = Buffer.from(
      `-----BEGIN PRIVATE KEY-----\n${BODY}${'z'.repeat(20_000)}\nlater output\n${'y'.repeat(70_000)}`,
    );

    // Act
    const streamed = await redactStream(data);

    // Assert
    expect(streamed.text).not.toContain('SECRETKEYMATERIAL');
    expect(streamed.text).toMatch(/^\[REDACTED:private-key\]\nz{20000}\nlater output\n/);
  });

  it('still redacts a complete block exactly and leaves what follows', async () => {
    const data = Buffer.from(`a\n-----BEGIN EC PRIVATE KEY-----\n${BODY}-----END EC PRIVATE KEY-----\nb\n`);

    const streamed = await redactStream(data);

    expect(streamed).toEqual({ text: 'a\n[REDACTED:private-key]\nb\n', count: 1 });
  });
});
