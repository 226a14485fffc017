import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readExcerpts } from '#lib/report/excerpts.ts';
import { REPORT_CONTENT_TYPE, SUMMARY_CONTENT_TYPE, writeRunReport } from '#lib/report/write.ts';
import { fixtureManifest, fixtureOutput } from '#local/report-fixtures.ts';
import { type LocalS3, startLocalS3 } from '#local/s3.ts';

const bucket = 'report-output';

describe('writeRunReport against the local S3', () => {
  let server: LocalS3;
  let s3: S3Client;

  beforeAll(async () => {
    server = await startLocalS3();
    await server.createBucket(bucket, 'us-east-1');
    s3 = server.client('us-east-1');
  });

  afterAll(async () => {
    await server.close();
  });

  async function text(key: string): Promise<string> {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await got.Body?.transformToString('utf-8')) ?? '';
  }

  async function store(key: string, body: string | Uint8Array): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  it('writes summary.md and report.html next to the manifest, with their content types', async () => {
    const manifest = fixtureManifest('partial-exit-code');
    for (const entry of manifest.targets) {
      if (entry.s3Key) await store(entry.s3Key, fixtureOutput('partial-exit-code', entry));
    }

    const written = await writeRunReport(s3, bucket, manifest, { region: 'us-east-1' });
    const report = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: manifest.files.report }));
    const summary = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: manifest.files.summary }));
    const html = await text(manifest.files.report);

    expect(written).toMatchObject({
      summaryKey: manifest.files.summary,
      reportKey: manifest.files.report,
      excerpts: 2,
      excerptErrors: 0,
    });
    expect(report.ContentType).toBe(REPORT_CONTENT_TYPE);
    expect(summary.ContentType).toBe(SUMMARY_CONTENT_TYPE);
    expect(report.ContentLength).toBe(written.reportBytes);
    expect(html).toContain('1 ?        00:12:31 java -jar /app/checkout.jar');
    expect(html).toContain(
      'https://us-east-1.console.aws.amazon.com/s3/object/report-output?region=us-east-1&amp;prefix=',
    );
    expect(await text(manifest.files.summary)).toContain('### ECS diagnostics: PARTIAL');
  });

  it('reads only the first part of a big output, says how big it is, and cuts on a character boundary', async () => {
    const manifest = fixtureManifest('all-succeeded');
    const [first, second] = manifest.targets;
    if (!first?.s3Key || !second?.s3Key) throw new Error('fixture targets must have keys');
    const big = `${'x'.repeat(99)}é${'y'.repeat(300_000)}`;
    await store(first.s3Key, big);
    await store(second.s3Key, 'short output\n');

    const excerpts = await readExcerpts(s3, bucket, manifest, { perOutputBytes: 100 });
    const cut = excerpts.get(first.s3Key);

    expect(cut).toEqual({
      s3Key: first.s3Key,
      text: 'x'.repeat(99),
      excerptBytes: 100,
      totalBytes: Buffer.byteLength(big),
    });
    expect(excerpts.get(second.s3Key)).toMatchObject({
      text: 'short output\n',
      excerptBytes: 13,
      totalBytes: 13,
    });
  });

  it('shares a total budget among the outputs of a big run', async () => {
    const manifest = fixtureManifest('targets-200');
    const stored = manifest.targets.filter((entry) => entry.s3Key).slice(0, 40);
    await Promise.all(stored.map((entry) => store(entry.s3Key ?? '', 'z'.repeat(8192))));

    const excerpts = await readExcerpts(s3, bucket, { targets: stored }, { totalBytes: 40 * 2048 });

    expect([...excerpts.values()].map((excerpt) => excerpt.excerptBytes)).toEqual(stored.map(() => 2048));
    expect([...excerpts.values()].every((excerpt) => excerpt.totalBytes === 8192)).toBe(true);
  });

  it('still writes the page when an output cannot be read, and says so on its card', async () => {
    const run = fixtureManifest('not-applicable');
    const manifest = {
      ...run,
      targets: run.targets.map((entry) => ({ ...entry, s3Key: `${entry.s3Key}.missing` })),
    };

    const written = await writeRunReport(s3, bucket, manifest);
    const html = await text(manifest.files.report);

    expect(written.excerptErrors).toBe(1);
    expect(html).toContain('<p class="err">Could not read it: NoSuchKey');
  });

  it('reads an empty output as empty, not as an error', async () => {
    const key = 'runs/2025/03/14/empty/payments-prod/t/checkout/basic.log';
    await store(key, new Uint8Array());
    const [entry] = fixtureManifest('all-succeeded').targets;
    if (!entry) throw new Error('fixture must have a target');

    const excerpts = await readExcerpts(s3, bucket, {
      targets: [{ ...entry, s3Key: key, bytes: undefined }],
    });

    expect(excerpts.get(key)).toEqual({ s3Key: key, text: '', excerptBytes: 0, totalBytes: 0 });
  });

  it('writes the page for a failed resolution (no target, no excerpt)', async () => {
    const manifest = fixtureManifest('resolution-failed');

    const written = await writeRunReport(s3, bucket, manifest);

    expect(written.excerpts).toBe(0);
    expect(await text(manifest.files.report)).toContain('Cluster not found: payments-prod');
  });
});
