import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { MAX_SECRET_LENGTH, Redactor, redactBuffer } from '#lib/capture/redact.ts';

const PRIVATE_KEY = `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x${'Q'.repeat(300)}\n-----END RSA PRIVATE KEY-----`;

const SECRETS: [string, string, string, string][] = [
  [
    'an AWS access key id',
    'key AKIAIOSFODNN7EXAMPLE end',
    'AKIAIOSFODNN7EXAMPLE',
    'key [REDACTED:aws-access-key-id] end',
  ],
  [
    'an AWS secret key',
    'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-key]\n',
  ],
  [
    'a bearer token',
    'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl\n',
    'eyJhbGciOiJIUzI1NiJ9',
    'Authorization: Bearer [REDACTED:bearer-token]\n',
  ],
  [
    'a password pair',
    'java -Ddb.password=hunter2hunter -jar app.jar',
    'hunter2',
    'java -Ddb.password=[REDACTED:password-pair] -jar app.jar',
  ],
  [
    'a quoted JSON secret',
    '{"client_secret": "s3 cr3t"}',
    's3 cr3t',
    '{"client_secret": [REDACTED:password-pair]}',
  ],
  [
    'URL credentials',
    'postgres://app:pa55word@db:5432/x',
    'pa55word',
    'postgres://app:[REDACTED:url-credentials]@db:5432/x',
  ],
  ['a private key block', `x\n${PRIVATE_KEY}\ny`, 'MIIEowIBAAKCAQEA', 'x\n[REDACTED:private-key]\ny'],
];

async function redactStream(chunks: Buffer[]): Promise<{ text: string; count: number }> {
  const redactor = new Redactor();
  const out = await buffer(Readable.from(chunks).pipe(redactor));
  return { text: out.toString('utf8'), count: redactor.redactions };
}

describe('capture/redact', () => {
  it.each(SECRETS)('redacts %s', (_kind, input, secret, expected) => {
    const result = redactBuffer(Buffer.from(input));

    expect(result.data.toString()).toBe(expected);
    expect(result.data.toString()).not.toContain(secret);
    expect(result.count).toBe(1);
  });

  it.each(SECRETS)(
    'redacts %s split across two chunks at every offset',
    async (_kind, input, secret, expected) => {
      const data = Buffer.from(`padding ${input} tail`);
      for (let cut = 0; cut <= data.length; cut += 1) {
        const result = await redactStream([data.subarray(0, cut), data.subarray(cut)]);

        expect(result.text).toBe(`padding ${expected} tail`);
        expect(result.text).not.toContain(secret);
        expect(result.count).toBe(1);
      }
    },
  );

  it.each(SECRETS)(
    'redacts %s split at every offset right where a 64 KiB scan batch fills (the hold-back path)',
    async (_kind, input, secret, expected) => {
      // The first chunk fills the scan batch, so the stream scans with only part of the secret present
      const pad = 'x'.repeat(64 * 1024);
      const data = Buffer.from(`${pad} ${input} tail`);
      for (let cut = pad.length; cut <= data.length; cut += 1) {
        const result = await redactStream([data.subarray(0, cut), data.subarray(cut)]);

        expect(result.text).toBe(`${pad} ${expected} tail`);
        expect(result.text).not.toContain(secret);
        expect(result.count).toBe(1);
      }
    },
  );

  it('redacts a secret delivered one byte at a time behind more than the hold-back of output', async () => {
    const data = Buffer.from(`${'x'.repeat(MAX_SECRET_LENGTH + 10)} AKIAIOSFODNN7EXAMPLE token=abc123 é`);

    const result = await redactStream([...data].map((byte) => Buffer.from([byte])));

    expect(result.text).toBe(
      `${'x'.repeat(MAX_SECRET_LENGTH + 10)} [REDACTED:aws-access-key-id] token=[REDACTED:password-pair] é`,
    );
    expect(result.count).toBe(2);
  });

  it('passes ordinary output through byte for byte, multi-byte characters included', async () => {
    const text =
      'PID 1 java -Xmx512m — 日本語 🙂 authors: 3, tokens 5, AKIA (short)\r\nenv names: DB_PASSWORD\n';
    const data = Buffer.from(text);

    const result = await redactStream([data.subarray(0, 7), data.subarray(7, 8), data.subarray(8)]);

    expect(result).toEqual({ text, count: 0 });
  });

  it('does not hold more than the bound in memory', async () => {
    const redactor = new Redactor();
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let passed = 0;
    redactor.on('data', (data: Buffer) => {
      passed += data.length;
    });

    for (let i = 0; i < 4; i += 1) redactor.write(chunk);
    await new Promise((resolve) => setImmediate(resolve));

    expect(4 * chunk.length - passed).toBeLessThanOrEqual(MAX_SECRET_LENGTH + 64 * 1024);
    redactor.end();
  });
});
