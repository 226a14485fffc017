import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { putAttemptRecord } from '#lib/attempts.ts';
import type { ResolvedTargets, Target, TargetResult } from '#lib/contracts.ts';
import type { Manifest } from '#lib/manifest.ts';
import { type EventBridgeEmulator, startEventBridgeEmulator } from '#local/eventbridge-emulator/index.ts';
import { type LocalS3, startLocalS3 } from '#local/s3.ts';
import { type SnsEmulator, startSnsEmulator } from '#local/sns-emulator/index.ts';
import { fakeContext } from '../../support/lambda-context.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

const REGION = 'eu-west-1';
const BUCKET = 'completion-bucket';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:diagnostics-chat';
const execution = {
  name: 'e778e4cf-checkout-cpu-high',
  startTime: '2026-11-26T04:00:00.000Z',
  id: 'arn:aws:states:eu-west-1:123456789012:execution:diagnostics:e778e4cf-checkout-cpu-high',
};
const run = { executionName: execution.name, prefix: `runs/2026/11/26/${execution.name}/` };
const target = (id: string): Target => ({
  cluster: 'prod',
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
  container: 'app',
  script: 'basic',
});

let s3Server: LocalS3;
let s3: S3Client;
let events: EventBridgeEmulator;
let sns: SnsEmulator;
let handler: (event: unknown, context: ReturnType<typeof fakeContext>) => Promise<Record<string, unknown>>;

function stored(id: string, status: 'succeeded' | 'partial' | 'not-applicable'): TargetResult {
  return {
    target: target(id),
    status,
    ...(status === 'partial' ? { partialReasons: ['exit-code' as const] } : {}),
    s3Key: `${run.prefix}prod/${id}/app/basic.log`,
    bytes: 1000,
    truncated: false,
    exitCode: status === 'succeeded' ? 0 : status === 'partial' ? 1 : 97,
    attempts: 2,
    attemptStartedAt: '2026-11-26T04:00:20.000Z',
    redactions: 1,
  };
}

function stateOf(results: unknown[], request: unknown = { cluster: 'prod', service: 'web' }) {
  const resolved: ResolvedTargets = {
    run,
    targets: results.map((result) => (result as TargetResult).target),
    skipped: [{ cluster: 'prod', taskArn: target('s').taskArn, reason: 'task is STOPPED, not RUNNING' }],
    maxConcurrency: 5,
  };
  return { request, resolved, results };
}

async function writtenManifest(): Promise<Manifest> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${run.prefix}manifest.json` }));
  const manifest = JSON.parse((await object.Body?.transformToString()) ?? '{}') as Manifest;
  expectValidManifest(manifest);
  return manifest;
}

describe('write-report: completion event and notification (local S3, EventBridge and SNS emulators)', () => {
  beforeAll(async () => {
    s3Server = await startLocalS3({ region: REGION });
    await s3Server.createBucket(BUCKET, REGION);
    s3 = s3Server.client(REGION);
    events = await startEventBridgeEmulator({ buses: ['diagnostics'] });
    sns = await startSnsEmulator({ topics: [TOPIC] });
    Object.assign(process.env, {
      OUTPUT_BUCKET: BUCKET,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_S3: s3Server.endpoint,
      AWS_S3_FORCE_PATH_STYLE: 'true',
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      EVENT_BUS_NAME: 'diagnostics',
      NOTIFICATION_TOPIC_ARN: TOPIC,
    });
    ({ handler } = (await import('../../../functions/write-report/handler.ts')) as unknown as {
      handler: typeof handler;
    });
  });

  afterAll(async () => {
    await s3Server.close();
    await events.close();
    await sns.close();
  });

  beforeEach(() => {
    events.events.length = 0;
    sns.messages.length = 0;
    sns.topics.add(TOPIC);
  });

  it('publishes one bounded event per run, whatever the number of targets, and a Chatbot notification', async () => {
    const statuses = ['succeeded', 'partial', 'not-applicable'] as const;
    const results = [
      ...Array.from({ length: 199 }, (_, i) => stored(`t${i}`, statuses[i % 3] ?? 'succeeded')),
      {
        target: target('dead'),
        status: 'failed',
        error: { Error: 'TargetNotConnectedException', Cause: 'x' },
      },
    ];
    await putAttemptRecord(s3, BUCKET, run.prefix, {
      target: target('t0'),
      number: 1,
      startedAt: '2026-11-26T04:00:01.000Z',
      endedAt: '2026-11-26T04:00:02.000Z',
      error: { name: 'TargetNotConnectedException', message: 'not yet' },
    });

    const summary = await handler({ state: stateOf(results), execution }, fakeContext('write-report'));

    expect(summary).toMatchObject({ outcome: 'partial', captured: 199, failed: 1, manifestWritten: true });
    const manifest = await writtenManifest();
    expect(manifest.targets[0]?.attempts).toEqual([
      {
        number: 1,
        startedAt: '2026-11-26T04:00:01.000Z',
        endedAt: '2026-11-26T04:00:02.000Z',
        error: { name: 'TargetNotConnectedException', message: 'not yet' },
        delayBeforeNextMs: 18_000,
      },
      { number: 2, startedAt: '2026-11-26T04:00:20.000Z' },
    ]);
    expect(events.events).toHaveLength(1);
    const [event] = events.events;
    expect(event).toMatchObject({
      eventBusName: 'diagnostics',
      source: 'ecs-alarm-diagnostics',
      detailType: 'ECS Diagnostics Run Completed',
      resources: [execution.id],
    });
    expect(event?.detail).toMatchObject({
      executionName: execution.name,
      executionArn: execution.id,
      outcome: 'partial',
      manifestWritten: true,
      counts: {
        targets: 200,
        captured: 199,
        succeeded: 67,
        partial: 66,
        notApplicable: 66,
        failed: 1,
        skipped: 1,
      },
      cluster: 'prod',
      service: 'web',
      manifest: `s3://${BUCKET}/${run.prefix}manifest.json`,
      report: `s3://${BUCKET}/${run.prefix}report.html`,
      summary: `s3://${BUCKET}/${run.prefix}summary.md`,
      links: {
        report: expect.stringMatching(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/s3\/object\//),
        execution: expect.stringContaining('/states/home?region=eu-west-1#/v2/executions/details/'),
      },
      startedAt: execution.startTime,
    });
    expect(JSON.stringify(event?.detail).length).toBeLessThan(4096);
    expect(sns.messages).toHaveLength(1);
    const message = JSON.parse(sns.messages[0]?.message ?? '{}');
    expect(message).toMatchObject({
      version: '1.0',
      source: 'custom',
      id: execution.name,
      content: {
        textType: 'client-markdown',
        title: expect.stringContaining('ECS diagnostics partial'),
        description: expect.stringContaining('*Report:* https://eu-west-1.console.aws.amazon.com/s3/object/'),
      },
      metadata: { eventType: 'ECS Diagnostics Run Completed', relatedResources: [execution.id] },
    });
  });

  it('shows the alarm in the notification with its text escaped, never as markup or control characters', async () => {
    const request = {
      cluster: 'prod',
      source: { type: 'alarm', alarmName: 'x', stateChangeTime: '2026-11-26T03:59:00.000Z' },
      alarm: {
        name: '*bold* <!channel> `code`\u202e\u0000',
        type: 'metric',
        metrics: [],
        state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-11-26T03:59:00.000Z' },
      },
    };

    await handler(
      { state: stateOf([stored('a', 'succeeded')], request), execution },
      fakeContext('write-report'),
    );

    const message = JSON.parse(sns.messages[0]?.message ?? '{}') as {
      content: { title: string; description: string };
    };
    // Markdown characters are escaped; the bidi override and NUL arrive as the visible text \u202e, \u0000.
    expect(message.content.title).toContain('\\*bold\\* \\<!channel\\> \\`code\\`');
    expect(message.content.title).toContain('u202e');
    const shown = `${message.content.title}${message.content.description}`;
    expect(shown.includes('\u0000') || shown.includes('\u202e')).toBe(false);
    expect(events.events[0]?.detail).toMatchObject({
      outcome: 'succeeded',
      alarm: { name: '*bold* <!channel> `code`\\u202e\\u0000', stateChangeTime: '2026-11-26T03:59:00.000Z' },
    });
  });

  it('never fails the run or loses the manifest when the notification cannot be published', async () => {
    sns.topics.delete(TOPIC);

    const summary = await handler(
      { state: stateOf([stored('a', 'succeeded')]), execution },
      fakeContext('write-report'),
    );

    expect(summary).toMatchObject({ outcome: 'succeeded', manifestWritten: true });
    expect((await writtenManifest()).outcome).toBe('succeeded');
    expect(events.events).toHaveLength(1);
    expect(sns.messages).toHaveLength(0);
  });

  it('on the Catch path publishes the event saying the manifest could not be written', async () => {
    const state = {
      ...stateOf([stored('a', 'succeeded')]),
      reportError: { Error: 'ManifestWriteError', Cause: 'AccessDenied: the bucket policy refused it' },
    };

    const summary = await handler({ state, execution }, fakeContext('write-report'));

    expect(summary).toMatchObject({ manifestWritten: false });
    expect(events.events[0]?.detail).toMatchObject({
      manifestWritten: false,
      error: { stage: 'WriteReport', name: 'ManifestWriteError' },
    });
    const message = JSON.parse(sns.messages[0]?.message ?? '{}') as { content: { description: string } };
    expect(message.content.description).toContain('The run manifest could not be written');
  });
});
