import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeContext } from '../../support/lambda-context.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

process.env.OUTPUT_BUCKET = 'diagnostics-bucket';
const { handler } = await import('../../../functions/write-report/handler.ts');
const s3 = mockClient(S3Client);

const execution = { name: 'sweep-nightly', startTime: '2026-12-01T02:00:00.000Z' };
const prefix = `runs/2026/12/01/${execution.name}/`;
const target = (id: string, service: string) => ({
  cluster: 'prod',
  service,
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
  container: 'app',
  script: 'basic',
  facts: { image: `app:${id}`, launchType: 'FARGATE' },
});
const resolved = {
  run: { executionName: execution.name, prefix },
  mode: 'distributed',
  targetCount: 4,
  skippedCount: 25,
  targetsKey: `${prefix}targets.jsonl`,
  skippedKey: `${prefix}skipped.json`,
  resultsPrefix: `${prefix}map-results`,
  skipped: Array.from({ length: 20 }, (_, i) => ({ cluster: 'prod', reason: `skip ${i}` })),
  maxConcurrency: 40,
};
const manifestKey = `${prefix}map-results/0b9e/manifest.json`;
const mapRun = {
  MapRunArn: 'arn:aws:states:eu-west-1:123456789012:mapRun:diagnostics/RunTargetsDistributed:0b9e',
  ResultWriterDetails: { Bucket: 'diagnostics-bucket', Key: manifestKey },
};

function objects(files: Record<string, unknown>) {
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    if (!(input.Key in files)) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    const value = files[input.Key];
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return { Body: { transformToString: async () => text } };
  });
}

function written() {
  const call = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key?.endsWith('manifest.json'));
  return JSON.parse(String(call?.args[0].input.Body)) as {
    targets: Array<{
      target: { taskArn: string; service?: string; facts?: unknown };
      task?: Record<string, string>;
      status: string;
      error?: { name: string };
    }>;
    skipped: unknown[];
  };
}

const child = (t: ReturnType<typeof target>, output: unknown) => ({
  ExecutionArn: `arn:aws:states:eu-west-1:123456789012:execution:diagnostics/RunTargetsDistributed:${t.taskArn.slice(-1)}`,
  Input: JSON.stringify({ target: t, run: resolved.run }),
  Output: output === undefined ? undefined : JSON.stringify(output),
  Status: output === undefined ? 'FAILED' : 'SUCCEEDED',
});

describe('write-report reads a Distributed Map run from S3', () => {
  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
  });

  it('loads every child result from the ResultWriter files, grouped by service, and the full skipped list', async () => {
    const a = target('a', 'web');
    const b = target('b', 'api');
    const c = target('c', 'web');
    const d = target('d', 'api');
    objects({
      [manifestKey]: {
        DestinationBucket: 'diagnostics-bucket',
        MapRunArn: mapRun.MapRunArn,
        ResultFiles: {
          SUCCEEDED: [{ Key: `${prefix}map-results/0b9e/SUCCEEDED_0.json`, Size: 1 }],
          FAILED: [{ Key: `${prefix}map-results/0b9e/FAILED_0.json`, Size: 1 }],
          PENDING: [{ Key: `${prefix}map-results/0b9e/PENDING_0.json`, Size: 1 }],
        },
      },
      [`${prefix}map-results/0b9e/SUCCEEDED_0.json`]: [
        // run-diagnostic's result names its target without the facts: they come from targets.jsonl.
        child(a, {
          target: { ...a, facts: undefined },
          status: 'succeeded',
          s3Key: `${prefix}a.log`,
          bytes: 3,
          exitCode: 0,
        }),
        child(b, { target: b, status: 'failed', error: { Error: 'AccessDeniedException', Cause: 'denied' } }),
      ],
      [`${prefix}map-results/0b9e/FAILED_0.json`]: [
        { ...child(c, undefined), Error: 'States.Timeout', Cause: '' },
      ],
      [`${prefix}map-results/0b9e/PENDING_0.json`]: [{ ...child(d, undefined), Status: 'PENDING' }],
      [`${prefix}targets.jsonl`]: [a, b, c, d].map((t) => `${JSON.stringify(t)}\n`).join(''),
      [`${prefix}skipped.json`]: Array.from({ length: 25 }, (_, i) => ({
        cluster: 'prod',
        reason: `skip ${i}`,
      })),
    });

    const summary = await handler(
      { state: { request: {}, resolved, mapRun }, execution },
      fakeContext('write-report'),
    );

    const manifest = written();
    expect(
      manifest.targets.map((t) => `${t.target.service}/${t.target.taskArn.slice(-1)}/${t.status}`),
    ).toEqual(['api/b/failed', 'api/d/failed', 'web/a/succeeded', 'web/c/failed']);
    expect(manifest.targets.map((t) => t.error?.name)).toEqual([
      'AccessDeniedException',
      'States.MapRunPending',
      undefined,
      'States.Timeout',
    ]);
    expect(manifest.skipped).toHaveLength(25);
    expect(summary).toMatchObject({ succeeded: 1, failed: 3, skipped: 25 });
    // Every target's task facts (failed ones too) come from targets.jsonl: no DescribeTasks, and `target`
    // keeps only the schema's fields.
    expect(manifest.targets.map((t) => t.task)).toEqual(
      ['b', 'd', 'a', 'c'].map((id) => ({
        service: id === 'a' || id === 'c' ? 'web' : 'api',
        image: `app:${id}`,
        launchType: 'FARGATE',
      })),
    );
    expect(manifest.targets.every((t) => t.target.facts === undefined)).toBe(true);
    expectValidManifest(manifest);
  });

  it('lists every target of targets.jsonl as failed when the map run itself failed', async () => {
    const lines = [target('a', 'web'), target('b', 'web')].map((t) => JSON.stringify(t)).join('\n');
    objects({ [`${prefix}targets.jsonl`]: `${lines}\n`, [`${prefix}skipped.json`]: [] });

    await handler(
      {
        state: {
          resolved: { ...resolved, skippedCount: 0, skipped: [] },
          runError: { Error: 'States.ItemReaderFailed', Cause: 'boom' },
        },
        execution,
      },
      fakeContext('write-report'),
    );

    const manifest = written();
    expect(manifest.targets).toHaveLength(2);
    expect(
      manifest.targets.every((t) => t.status === 'failed' && t.error?.name === 'States.ItemReaderFailed'),
    ).toBe(true);
  });
});
