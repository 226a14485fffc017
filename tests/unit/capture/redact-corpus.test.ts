import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from '@jest/globals';
import { Redactor, redactBuffer } from '#lib/capture/redact.ts';

interface CorpusSecret {
  kind: string;
  text: string;
  secret: string;
}

const fixtures = new URL('../../fixtures/redaction/', import.meta.url);
const SECRETS = JSON.parse(readFileSync(new URL('secrets.json', fixtures), 'utf8')) as CorpusSecret[];
const BENIGN = readFileSync(new URL('benign.txt', fixtures), 'utf8');

async function redactStream(data: Buffer, size: number): Promise<{ text: string; count: number }> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) chunks.push(data.subarray(i, i + size));
  const redactor = new Redactor();
  const out = await buffer(Readable.from(chunks).pipe(redactor));
  return { text: out.toString('latin1'), count: redactor.redactions };
}

describe('capture/redact corpus', () => {
  it('has at least 100 secrets of 40 kinds', () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(SECRETS.map((s) => s.kind)).size).toBeGreaterThanOrEqual(40);
  });

  it('finds every secret of the corpus (recall 100%)', () => {
    const missed = SECRETS.filter(({ text, secret }) =>
      redactBuffer(Buffer.from(text)).data.toString('latin1').includes(secret),
    ).map(({ kind, text }) => `${kind}: ${text.slice(0, 120)}`);

    expect(missed).toEqual([]);
  });

  it('finds every secret inside ordinary output streamed in 1 KiB and in 7-byte chunks', async () => {
    const data = Buffer.from(SECRETS.map(({ text }) => `${text}\n${BENIGN}`).join('\n'));

    for (const size of [1024, 7]) {
      const streamed = await redactStream(data, size);
      const leaked = SECRETS.filter(({ secret }) => streamed.text.includes(secret)).map((s) => s.kind);
      expect(leaked).toEqual([]);
      expect(streamed.count).toBe(redactBuffer(data).count);
    }
  });

  it('redacts nothing in ordinary diagnostic output (ps, env, nsswitch, thread dumps, hashes, UUIDs, ARNs, ss)', async () => {
    const whole = redactBuffer(Buffer.from(BENIGN));
    const streamed = await redactStream(Buffer.from(BENIGN.repeat(20)), 1024);

    const changed = BENIGN.split('\n').filter((line) => redactBuffer(Buffer.from(line)).count > 0);
    expect(changed).toEqual([]);
    expect(whole.count).toBe(0);
    expect(streamed).toEqual({ text: BENIGN.repeat(20), count: 0 });
  });

  it('keeps the text around a secret: the key name, the flag, the URL and what follows', () => {
    const cases: [string, string][] = [
      ['DB_PASS=hunter2hunter2 next', 'DB_PASS=[REDACTED:password-pair] next'],
      ['redis://:s3cr3tpw@cache:6379/0', 'redis://:[REDACTED:url-credentials]@cache:6379/0'],
      ['postgres://app:p@ss/w0rd@db:5432/x', 'postgres://app:[REDACTED:url-credentials]@db:5432/x'],
      ['mysql -uroot -pS3cret orders', 'mysql -uroot -p[REDACTED:mysql-password] orders'],
      ['curl -u admin:pw12345 http://h/', 'curl -u admin:[REDACTED:curl-user-password] http://h/'],
      ['Authorization: Basic YWRtaW46cHcxMjM0NQ==', 'Authorization: Basic [REDACTED:authorization-header]'],
    ];
    for (const [input, expected] of cases) {
      expect(redactBuffer(Buffer.from(input)).data.toString()).toBe(expected);
    }
  });

  it('bounds a password= value at 256 characters instead of 4 KiB', () => {
    const input = `password=${'a'.repeat(300)}`;

    const out = redactBuffer(Buffer.from(input)).data.toString();

    expect(out).toBe(`password=[REDACTED:password-pair]${'a'.repeat(44)}`);
  });
});
