import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type LocalS3, startLocalS3 } from '#local/s3.ts';

describe('local s3', () => {
  let s3Server: LocalS3;
  let s3: S3Client;

  beforeAll(async () => {
    s3Server = await startLocalS3();
    await s3Server.createBucket('sandbox-output', 'us-east-1');
    await s3Server.createBucket('sandbox-output', 'us-east-1');
    s3 = s3Server.client('us-east-1');
  });

  afterAll(async () => {
    await s3Server.close();
  });

  it('listens on loopback only', () => {
    expect(s3Server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores a streamed multipart upload intact and lists it under its prefix', async () => {
    const body = Buffer.alloc(6 * 1024 * 1024, 'abcdefgh');
    await new Upload({
      client: s3,
      params: { Bucket: 'sandbox-output', Key: 'runs/2026/11/26/x/a.log', Body: body },
      partSize: 5 * 1024 * 1024,
    }).done();
    await s3.send(
      new PutObjectCommand({ Bucket: 'sandbox-output', Key: 'runs/2026/11/26/x/manifest.json', Body: '{}' }),
    );

    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: 'sandbox-output', Prefix: 'runs/2026/11/26/x/' }),
    );
    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'sandbox-output', Key: 'runs/2026/11/26/x/a.log' }),
    );
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);

    expect(listed.Contents?.map((item) => item.Key).sort()).toEqual([
      'runs/2026/11/26/x/a.log',
      'runs/2026/11/26/x/manifest.json',
    ]);
    expect(bytes.equals(body)).toBe(true);
  });
});
