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
const BUCKET = 'interrupted-bucket';
const ABORT_DELAY_MS = 700;

let agent: AgentEmulator;
let localS3: LocalS3;
let s3: S3Client;
let ssm: SSMClient;
let proxy: S3FaultProxy;
/** AbortMultipartUpload answers the proxy gave, with the time each answer was sent. */
let aborts: { status: number; answeredAt: number }[] = [];

/**
 * An S3 proxy in front of the local S3 that answers AbortMultipartUpload only after ABORT_DELAY_MS (a slow
 * network), and records when it answered. (The local S3 does not implement ListMultipartUploads.)
 */
function startSlowAbortProxy(target: string): Promise<S3FaultProxy> {
  return startS3FaultProxy(target, (req) =>
    req.method === 'DELETE' && /[?&]uploadId=/.test(req.url ?? '')
      ? {
          kind: 'forward',
          delayAnswerMs: ABORT_DELAY_MS,
          onAnswered: (status) => aborts.push({ status, answeredAt: Date.now() }),
        }
      : { kind: 'forward' },
  );
}

describe('capture to S3 when the session drops after the multipart upload has started', () => {
  beforeAll(async () => {
    agent = await startAgentEmulator({ region: REGION });
    localS3 = await startLocalS3({ region: REGION });
    await localS3.createBucket(BUCKET, REGION);
    ssm = new SSMClient({ region: REGION, endpoint: agent.httpEndpoint });
    proxy = await startSlowAbortProxy(localS3.endpoint);
    s3 = new S3Client({
      region: REGION,
      endpoint: proxy.endpoint,
      forcePathStyle: true,
    });
  });

  afterAll(async () => {
    ssm.destroy();
    s3.destroy();
    await proxy.close();
    await localS3.close();
    await agent.close();
  });

  it('has aborted the multipart upload by the time it rejects (a Lambda may freeze right after)', async () => {
    // Arrange: about 1.6 parts of output, then the connection drops without channel_closed
    aborts = [];
    const credentials = agent.createSession({
      generatedOutputBytes: 3 * PART_SIZE,
      faults: { dropConnectionAfterMessages: Math.ceil((1.6 * PART_SIZE) / 1024) },
    });
    const stop = new AbortController();
    const session = openSessionCapture({ session: credentials, ssm, signal: stop.signal });
    const key = `runs/2026/11/26/test/${credentials.sessionId}.log`;

    // Act
    const error = await captureToS3({
      s3,
      bucket: BUCKET,
      key,
      output: session.output,
      done: session.done,
      nonce: 'f'.repeat(32),
      outputCapBytes: 64 * 1024 * 1024,
      stopSession: () => stop.abort(),
      metadata: { script: 'test' },
    }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    const settledAt = Date.now();

    // Assert
    expect(error).toMatchObject({ name: 'SessionInterruptedError' });
    expect(aborts).toHaveLength(1);
    expect(aborts[0]?.status).toBeLessThan(300);
    expect(aborts[0]?.answeredAt).toBeLessThanOrEqual(settledAt);
    await expect(
      localS3.client(REGION).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });
});
