import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { downloadRun } from '#local/run-report.ts';
import { type LocalS3, startLocalS3 } from '#local/s3.ts';

const BUCKET = 'download-run';

describe('downloadRun (npm start copies a run into .sandbox/)', () => {
  let server: LocalS3;
  let s3: S3Client;
  let folder: string;

  beforeAll(async () => {
    server = await startLocalS3();
    await server.createBucket(BUCKET, 'us-east-1');
    s3 = server.client('us-east-1');
    folder = mkdtempSync(join(tmpdir(), 'download-run-'));
    const put = (Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
    await put('runs/2025/03/14/run-a/manifest.json', '{"run":"a"}');
    await put('runs/2025/03/14/run-a/payments-prod/t1/checkout/basic.log', 'output of a');
    await put('runs/2025/03/14/run-b/manifest.json', '{"run":"b"}');
  });

  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await server.close();
  });

  it('copies the objects of one run, below its prefix, and none of another run', async () => {
    const destination = join(folder, 'run-a');

    const files = await downloadRun(s3, BUCKET, 'run-a', destination);

    expect(files.map((file) => resolve(file))).toEqual([
      join(destination, 'manifest.json'),
      join(destination, 'payments-prod/t1/checkout/basic.log'),
    ]);
    expect(readFileSync(join(destination, 'manifest.json'), 'utf8')).toBe('{"run":"a"}');
    expect(readFileSync(join(destination, 'payments-prod/t1/checkout/basic.log'), 'utf8')).toBe(
      'output of a',
    );
  });

  it('copies nothing for an execution without objects', async () => {
    expect(await downloadRun(s3, BUCKET, 'run-c', join(folder, 'run-c'))).toEqual([]);
  });
});
