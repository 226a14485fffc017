import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import type { RunDiagnosticInput, TargetResult } from '#lib/contracts.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { type EcsEmulator, startEcsEmulator } from '#local/ecs-emulator/index.ts';
import { type LocalS3, startLocalS3 } from '#local/s3.ts';
import { parseWorld } from '#local/world.ts';
import { fakeContext } from '../../support/lambda-context.ts';

const REGION = 'us-east-1';
const BUCKET = 'diagnostics-output';
const ACCOUNT = '493817260514';
const TASK = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const KMS_TASK = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/4b1e7d29-8c3a-4f56-9e02-d7a1c6b5e384`;

const world = parseWorld({
  account: ACCOUNT,
  region: REGION,
  clusters: [
    {
      name: 'plain',
      tasks: [
        {
          id: TASK,
          taskDefinition: 'app:1',
          containers: [{ name: 'app', env: { DB_PASSWORD: 'never-stored-value' } }],
        },
      ],
    },
    {
      name: 'encrypted',
      kmsKeyId: KMS_KEY,
      tasks: [{ id: KMS_TASK, taskDefinition: 'app:1', containers: [{ name: 'app' }] }],
    },
  ],
});

type Handler = (event: unknown, context: Context) => Promise<TargetResult>;
let handler: Handler;
let agent: AgentEmulator;
let ecs: EcsEmulator;
let localS3: LocalS3;
let s3: S3Client;

function context(remainingMs: number): Context {
  return fakeContext('run-diagnostic', remainingMs);
}

function input(cluster: string, task: string, script = 'basic'): RunDiagnosticInput {
  return {
    target: {
      cluster,
      taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${cluster}/${task}`,
      container: 'app',
      script,
    },
    run: {
      executionName: 'manual-20261126T0430Z',
      prefix: 'runs/2026/11/26/manual-20261126T0430Z/',
      alarmName: 'cpu high / ünïcode',
    },
    retryCount: 1,
  };
}

describe('run-diagnostic handler (ECS + agent emulators, local S3)', () => {
  beforeAll(async () => {
    agent = await startAgentEmulator({ region: REGION });
    ecs = await startEcsEmulator({ world, sessions: agent });
    localS3 = await startLocalS3({ region: REGION });
    await localS3.createBucket(BUCKET, REGION);
    s3 = localS3.client(REGION);
    Object.assign(process.env, {
      AWS_REGION: REGION,
      OUTPUT_BUCKET: BUCKET,
      AWS_ENDPOINT_URL_ECS: ecs.endpoint,
      AWS_ENDPOINT_URL_S3: localS3.endpoint,
      AWS_S3_FORCE_PATH_STYLE: 'true',
      AWS_ENDPOINT_URL_SSM: agent.httpEndpoint,
      AWS_ENDPOINT_URL_KMS: agent.httpEndpoint,
      EXEC_KMS_KEY_ARN: KMS_KEY,
    });
    ({ handler } = (await import('../../../functions/run-diagnostic/handler.ts')) as unknown as {
      handler: Handler;
    });
  });

  afterAll(async () => {
    await localS3.close();
    await ecs.close();
    await agent.close();
  });

  it('runs the basic script in the container and stores its output with metadata', async () => {
    // Act
    const result = await handler(input('plain', TASK), context(120_000));

    // Assert
    expect(result).toMatchObject({
      status: 'succeeded',
      s3Key: `runs/2026/11/26/manual-20261126T0430Z/plain/${TASK}/app/basic.log`,
      exitCode: 0,
      truncated: false,
      attempts: 2,
    });
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: result.s3Key }));
    const text = await object.Body?.transformToString('utf8');
    expect(object.ContentType).toBe('text/plain; charset=utf-8');
    expect(text).toContain('===== identity =====');
    expect(text).toContain('===== environment variable names (values never printed) =====');
    expect(text).toMatch(/^DB_PASSWORD\r?$/m);
    expect(text).not.toContain('never-stored-value');
    const nonce = /__ECSDIAG_RC_ ([0-9a-f]{32}) /.exec(ecs.executions.at(-1)?.command ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(text).not.toContain(`__ECSDIAG_RC_${nonce}=`);
    expect(text).toContain('[ecs-diag: this diagnostic script]');
    expect(Buffer.byteLength(text ?? '')).toBe(result.bytes);
    expect(object.Metadata).toMatchObject({
      alarm: encodeURIComponent('cpu high / ünïcode'),
      cluster: 'plain',
      task: encodeURIComponent(input('plain', TASK).target.taskArn),
      container: 'app',
      script: 'basic',
      'exit-code': '0',
      bytes: String(result.bytes),
      truncated: 'false',
      redactions: String(result.redactions),
    });
    expect(agent.violations()).toEqual([]);
  });

  it('does the KMS handshake when the cluster has an ExecuteCommand key', async () => {
    const result = await handler(input('encrypted', KMS_TASK, 'node'), context(120_000));

    expect(result).toMatchObject({ status: 'succeeded', exitCode: 0, truncated: false });
    const execution = ecs.executions.at(-1);
    const report = agent.report(execution?.sessionId ?? '');
    expect(report.state).toBe('closed');
    expect(report.violations).toEqual([]);
    const text = await (
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: result.s3Key }))
    ).Body?.transformToString();
    expect(text).toMatch(/node pid|no node process found/);
  });

  it('stops at the Lambda deadline minus the margin and stores a truncated output', async () => {
    // Arrange: DEADLINE_MARGIN_MS defaults to 20 s, so 20.3 s left leaves the script 0.3 s

    // Act
    const result = await handler(input('plain', TASK), context(20_300));

    // Assert
    expect(result).toMatchObject({
      status: 'partial',
      partialReasons: ['deadline'],
      truncated: true,
      truncation: 'deadline',
      exitCode: null,
    });
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: result.s3Key }));
    expect(object.Metadata).toMatchObject({ truncated: 'true', 'truncation-reason': 'deadline' });
    expect(await object.Body?.transformToString()).toMatch(
      /\[ecs-diag\] output truncated after \d+ bytes: the run reached its deadline/,
    );
  });

  it('passes ECS refusals through under their own names', async () => {
    ecs.setFaults({ targetNotConnectedAttempts: 1 });

    await expect(handler(input('plain', TASK), context(120_000))).rejects.toMatchObject({
      name: 'TargetNotConnectedException',
      message: expect.stringContaining('(1) the task role lacks ssmmessages'),
    });
    ecs.setFaults({});
  });
});
