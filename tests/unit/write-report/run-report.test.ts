import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { ResolvedTargets } from '#lib/contracts.ts';
import { REPORT_CONTENT_TYPE, SUMMARY_CONTENT_TYPE } from '#lib/report/write.ts';
import { FIXTURE_KINDS, fixtureManifest } from '#local/report-fixtures.ts';
import { fakeContext } from '../../support/lambda-context.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

process.env.OUTPUT_BUCKET = 'diagnostics-bucket';
const { handler } = await import('../../../functions/write-report/handler.ts');
const s3 = mockClient(S3Client);
const events = mockClient(EventBridgeClient);
mockClient(SNSClient);

const execution = { name: 'e778e4cf-checkout-cpu-high', startTime: '2026-11-26T04:00:00.000Z' };
const prefix = `runs/2026/11/26/${execution.name}/`;
const target = {
  cluster: 'prod',
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/prod/a',
  container: 'app',
  script: 'basic',
};
const outputKey = `${prefix}prod/a/app/basic.log`;
const resolved: ResolvedTargets = {
  run: { executionName: execution.name, prefix },
  targets: [target],
  skipped: [],
  maxConcurrency: 5,
};
const succeeded = {
  state: {
    resolved,
    results: [{ target, status: 'succeeded', s3Key: outputKey, bytes: 40, exitCode: 0, attempts: 1 }],
  },
  execution,
};

function put(key: string) {
  return s3.commandCalls(PutObjectCommand).find((call) => call.args[0].input.Key === key)?.args[0].input;
}

describe('write-report: the run report', () => {
  beforeEach(() => {
    s3.reset();
    events.reset();
    s3.on(PutObjectCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
    s3.on(GetObjectCommand, { Key: outputKey }).resolves({
      Body: { transformToByteArray: async () => new TextEncoder().encode('<b>PID 1 java</b>\n') } as never,
      ContentRange: 'bytes 0-17/40',
    });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
  });

  it.each(FIXTURE_KINDS)('renders from manifests the schema accepts (fixture %s)', (kind) => {
    expectValidManifest(fixtureManifest(kind));
  });

  it('writes summary.md and report.html next to the manifest, with a ranged read of each output', async () => {
    await handler(succeeded, fakeContext('write-report'));

    const report = put(`${prefix}report.html`);
    const summary = put(`${prefix}summary.md`);
    const reads = s3.commandCalls(GetObjectCommand).filter((call) => call.args[0].input.Key === outputKey);

    expect(report).toMatchObject({ Bucket: 'diagnostics-bucket', ContentType: REPORT_CONTENT_TYPE });
    expect(summary).toMatchObject({ Bucket: 'diagnostics-bucket', ContentType: SUMMARY_CONTENT_TYPE });
    expect(reads.map((call) => call.args[0].input.Range)).toEqual(['bytes=0-65535']);
    expect(String(report?.Body)).toContain('&lt;b&gt;PID 1 java&lt;/b&gt;');
    expect(String(report?.Body)).toContain('first 18 B of 40 B (22 B more)');
    expect(String(summary?.Body)).toContain('### ECS diagnostics: SUCCEEDED');
  });

  it('writes both for a failed resolution', async () => {
    await handler(
      {
        state: { resolveError: { Error: 'ClusterNotFoundException', Cause: 'Cluster not found.' } },
        execution,
      },
      fakeContext('write-report'),
    );

    expect(String(put(`${prefix}report.html`)?.Body)).toContain('ClusterNotFoundException');
    expect(String(put(`${prefix}summary.md`)?.Body)).toContain(
      '- Error in ResolveTargets: ClusterNotFoundException',
    );
  });

  it('keeps the run going when the report cannot be stored: the manifest is written and the summary returned', async () => {
    s3.on(PutObjectCommand, { Key: `${prefix}report.html` }).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );

    const result = await handler(succeeded, fakeContext('write-report'));

    expect(put(`${prefix}manifest.json`)).toBeDefined();
    expect(result).toMatchObject({ manifestWritten: true, outcome: 'succeeded' });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('shows an output it may not read as unreadable on its card, and still writes the page', async () => {
    s3.on(GetObjectCommand, { Key: outputKey }).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );

    await handler(succeeded, fakeContext('write-report'));

    expect(String(put(`${prefix}report.html`)?.Body)).toContain(
      'Could not read it: AccessDenied: Access Denied',
    );
  });
});
