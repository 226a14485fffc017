import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { captureToS3 } from '#lib/capture/index.ts';
import { PART_SIZE } from '#lib/capture/s3-sink.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { type LocalS3, startLocalS3 } from '#local/s3.ts';
import { type S3FaultProxy, startS3FaultProxy } from '../../support/s3-fault-proxy.ts';

const REGION = 'us-east-1';
const BUCKET = 'copy-failure-bucket';

let agent: AgentEmulator;
let localS3: LocalS3;
let proxy: S3FaultProxy;
let copyAttempts = 0;

/** An S3 proxy in front of the local S3 that fails every CopyObject (the final-metadata step) with a 500. */
function startCopyFailingProxy(target: string): Promise<S3FaultProxy> {
  return startS3FaultProxy(target, (req) => {
    if (req.method !== 'PUT' || req.headers['x-amz-copy-source'] === undefined) return { kind: 'forward' };
    copyAttempts += 1;
    return { kind: 'fail', status: 500, code: 'InternalError' };
  });
}

describe('capture to S3 when the final-metadata CopyObject fails', () => {
  beforeAll(async () => {
    agent = await startAgentEmulator({ region: REGION });
    localS3 = await startLocalS3({ region: REGION });
    await localS3.createBucket(BUCKET, REGION);
    proxy = await startCopyFailingProxy(localS3.endpoint);
  });

  afterAll(async () => {
    await proxy.close();
    await localS3.close();
    await agent.close();
  });

  it('fails the capture, and the object left by the multipart upload says its metadata is pending', async () => {
    // Arrange: output above one part (after CRLF → LF), so the object is created by CompleteMultipartUpload before CopyObject
    const s3 = new S3Client({
      region: REGION,
      endpoint: proxy.endpoint,
      forcePathStyle: true,
    });
    const credentials = agent.createSession({ generatedOutputBytes: PART_SIZE + 400_000 });
    const stop = new AbortController();
    const session = openSessionCapture({
      session: credentials,
      ssm: new SSMClient({ region: REGION, endpoint: agent.httpEndpoint }),
      signal: stop.signal,
    });
    const key = `runs/2026/11/26/test/${credentials.sessionId}.log`;

    // Act
    const result = captureToS3({
      s3,
      bucket: BUCKET,
      key,
      output: session.output,
      done: session.done,
      nonce: 'f'.repeat(32),
      outputCapBytes: 64 * 1024 * 1024,
      stopSession: () => stop.abort(),
      metadata: { script: 'test' },
    });

    // Assert
    await expect(result).rejects.toThrow();
    expect(copyAttempts).toBeGreaterThan(0);
    const head = await localS3.client(REGION).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.Metadata).toMatchObject({
      'exit-code': 'pending',
      bytes: 'pending',
      truncated: 'pending',
      redactions: 'pending',
    });
    s3.destroy();
  });
});
