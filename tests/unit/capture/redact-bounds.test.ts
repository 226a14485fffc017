import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { Redactor, redactBuffer } from '#lib/capture/redact.ts';

/** Streams `data` through a Redactor in the agent's 1 KiB messages (so the hold-back path runs). */
async function redactStream(data: Buffer): Promise<{ text: string; count: number }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 1024) chunks.push(data.subarray(i, i + 1024));
  const redactor = new Redactor();
  const out = await buffer(Readable.from(chunks).pipe(redactor));
  return { text: out.toString('latin1'), count: redactor.redactions };
}

const KEY_VALUE_SECRETS: [string, (pad: string) => string, string][] = [
  ['a password pair', (pad) => `db_password${pad}=${pad}hunter2hunter2`, 'hunter2'],
  [
    'an AWS secret key',
    (pad) => `aws_secret_access_key${pad}:${pad}wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`,
    'wJalrXUtnFEMI',
  ],
  [
    'a bearer token',
    (pad) => `Authorization: Bearer ${pad}eyJhbGciOiJIUzI1NiJ9.e30.c2ln`,
    'eyJhbGciOiJIUzI1NiJ9',
  ],
];

describe('capture/redact pattern bounds', () => {
  it.each(KEY_VALUE_SECRETS)(
    'redacts %s with column-aligned padding, past the 64 KiB scan batch',
    async (_kind, make, secret) => {
      // Arrange
      const data = Buffer.from(`${'x'.repeat(65_000)}\n${make(' \t'.repeat(16))}\n${'y'.repeat(70_000)}\n`);

      // Act
      const streamed = await redactStream(data);

      // Assert
      expect(streamed.text).not.toContain(secret);
      expect(streamed.count).toBe(1);
    },
  );

  it.each(KEY_VALUE_SECRETS)(
    'gives the same result streamed as whole for %s behind padding longer than the hold-back',
    async (_kind, make) => {
      // Arrange: every pattern must be bounded, or the stream (bounded memory) and the whole-buffer scan differ
      const data = Buffer.from(`${make(' '.repeat(40_000))}\n${'y'.repeat(70_000)}\n`);

      // Act
      const streamed = await redactStream(data);
      const whole = redactBuffer(data);

      // Assert
      expect(streamed.text).toBe(whole.data.toString('latin1'));
      expect(streamed.count).toBe(whole.count);
    },
  );
});
