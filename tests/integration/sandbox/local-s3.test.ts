import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
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

describe('local s3 fault switches (through the real SDK and lib-storage)', () => {
  let s3Server: LocalS3;
  let s3: S3Client;
  const body = Buffer.alloc(6 * 1024 * 1024, 'fault-switch ');

  beforeAll(async () => {
    s3Server = await startLocalS3();
    await s3Server.createBucket('faults', 'us-east-1');
    s3 = s3Server.client('us-east-1');
  });

  afterAll(async () => {
    await s3Server.close();
  });

  const upload = (key: string) =>
    new Upload({ client: s3, params: { Bucket: 'faults', Key: key, Body: body }, partSize: 5 * 1024 * 1024 });

  it('uploadPartErrors: a 500 InternalError on the first part is retried by the SDK and the object is whole', async () => {
    s3Server.setFaults({ uploadPartErrors: 1 });

    await upload('transient-part.log').done();
    const got = await s3.send(new GetObjectCommand({ Bucket: 'faults', Key: 'transient-part.log' }));

    expect(s3Server.injected.get('UploadPart')).toBe(1);
    expect(s3Server.operations.get('UploadPart')).toBe(3);
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(body)).toBe(true);
  });

  it('uploadPartErrors: Infinity fails the upload with InternalError and aborts it (no object)', async () => {
    s3Server.setFaults({ uploadPartErrors: Number.POSITIVE_INFINITY });

    await expect(upload('persistent-part.log').done()).rejects.toMatchObject({
      name: 'InternalError',
      $metadata: { httpStatusCode: 500 },
    });

    expect(s3Server.operations.get('AbortMultipartUpload')).toBe(1);
    expect(s3Server.operations.get('CompleteMultipartUpload')).toBeUndefined();
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: 'faults', Key: 'persistent-part.log' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('completeErrors: a 200 OK carrying an InternalError document is retried by the SDK', async () => {
    s3Server.setFaults({ completeErrors: 1 });

    await upload('transient-complete.log').done();

    expect(s3Server.operations.get('CompleteMultipartUpload')).toBe(2);
    expect(s3Server.operations.get('AbortMultipartUpload')).toBeUndefined();
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'faults', Key: 'transient-complete.log' }));
    expect(head.ContentLength).toBe(body.length);
  });

  it('completeErrors: Infinity fails the upload and aborts it (no object)', async () => {
    s3Server.setFaults({ completeErrors: Number.POSITIVE_INFINITY });

    await expect(upload('persistent-complete.log').done()).rejects.toMatchObject({ name: 'InternalError' });

    expect(s3Server.operations.get('CompleteMultipartUpload')).toBe(3);
    expect(s3Server.operations.get('AbortMultipartUpload')).toBe(1);
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: 'faults', Key: 'persistent-complete.log' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
    s3Server.setFaults({});
  });
});
