import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { ResolvedTargets } from '#lib/contracts.ts';
import { fakeContext } from '../../support/lambda-context.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

process.env.OUTPUT_BUCKET = 'diagnostics-bucket';
const { handler } = await import('../../../functions/write-report/handler.ts');
const s3 = mockClient(S3Client);

const execution = { name: 'e778e4cf-checkout-cpu-high', startTime: '2026-11-26T04:00:00.000Z' };
const run = { executionName: execution.name, prefix: `runs/2026/11/26/${execution.name}/` };
const target = (id: string) => ({
  cluster: 'prod',
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
  container: 'app',
  script: 'basic',
});
const resolved: ResolvedTargets = {
  run,
  targets: [target('a'), target('b')],
  skipped: [{ cluster: 'prod', taskArn: target('c').taskArn, reason: 'the ExecuteCommandAgent is PENDING' }],
  maxConcurrency: 5,
};

function writtenManifest() {
  const call = s3.commandCalls(PutObjectCommand)[0];
  if (!call) throw new Error('no manifest was written');
  const manifest = JSON.parse(String(call.args[0].input.Body));
  expectValidManifest(manifest);
  return { input: call.args[0].input, manifest };
}

describe('write-report', () => {
  beforeEach(() => {
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: [] });
  });

  it('writes every target outcome and skipped task into manifest.json under the run prefix', async () => {
    const result = await handler(
      {
        state: {
          request: { cluster: 'prod', service: 'web', script: 'basic' },
          resolved,
          results: [
            {
              target: target('a'),
              status: 'succeeded',
              s3Key: `${run.prefix}prod/a/app/basic.log`,
              bytes: 12,
              exitCode: 0,
              attempts: 1,
            },
            {
              target: target('b'),
              status: 'failed',
              error: {
                Error: 'AccessDeniedException',
                Cause: JSON.stringify({
                  errorType: 'AccessDeniedException',
                  errorMessage: 'check ecs:cluster',
                  trace: [],
                }),
              },
            },
          ],
        },
        execution,
      },
      fakeContext('write-report'),
    );

    const { input, manifest } = writtenManifest();
    expect(input).toMatchObject({
      Bucket: 'diagnostics-bucket',
      Key: `${run.prefix}manifest.json`,
      ContentType: 'application/json',
    });
    expect(manifest).toMatchObject({
      executionName: execution.name,
      outcome: 'partial',
      summary: {
        targets: 2,
        byStatus: { succeeded: 1, partial: 0, 'not-applicable': 0, failed: 1 },
        skipped: 1,
        leftOut: 0,
      },
      skipped: resolved.skipped,
      files: {
        manifest: `${run.prefix}manifest.json`,
        summary: `${run.prefix}summary.md`,
        report: `${run.prefix}report.html`,
      },
    });
    expect(manifest.targets[1].error).toEqual({
      name: 'AccessDeniedException',
      message: 'check ecs:cluster',
    });
    expect(result).toEqual({
      manifestKey: `${run.prefix}manifest.json`,
      manifestWritten: true,
      outcome: 'partial',
      captured: 1,
      succeeded: 1,
      partial: 0,
      notApplicable: 0,
      failed: 1,
      skipped: 1,
      leftOut: 0,
    });
  });

  it('explains an exhausted TargetNotConnectedException with its three configuration causes', async () => {
    await handler(
      {
        state: {
          resolved,
          results: [
            {
              target: target('a'),
              status: 'failed',
              error: { Error: 'TargetNotConnectedException', Cause: 'not connected' },
            },
          ],
        },
        execution,
      },
      fakeContext('write-report'),
    );

    const message: string = writtenManifest().manifest.targets[0].error.message;
    expect(message).toMatch(/^not connected — /);
    expect(message).toContain('ssmmessages');
    expect(message).toContain('VPC interface endpoint');
    expect(message).toContain('enableExecuteCommand');
  });

  it('still writes a manifest when ResolveTargets failed, at the prefix derived from the execution', async () => {
    const result = await handler(
      {
        state: {
          request: { cluster: 'prod', script: '$(reboot)' },
          resolveError: {
            Error: 'InvalidRequestError',
            Cause: 'script: "$(reboot)" is not a catalog script',
          },
        },
        execution,
      },
      fakeContext('write-report'),
    );

    const { input, manifest } = writtenManifest();
    expect(input.Key).toBe(`runs/2026/11/26/${execution.name}/manifest.json`);
    expect(manifest).toMatchObject({
      outcome: 'failed',
      summary: { targets: 0, skipped: 0, leftOut: 0 },
      request: { cluster: 'prod', script: '$(reboot)' },
      errors: [
        {
          stage: 'ResolveTargets',
          name: 'InvalidRequestError',
          message: 'script: "$(reboot)" is not a catalog script',
        },
      ],
    });
    expect(result.captured).toBe(0);
  });

  it('keeps an unsafe execution name out of the key', async () => {
    await handler(
      { state: {}, execution: { name: '../../etc/passwd', startTime: execution.startTime } },
      fakeContext('write-report'),
    );

    const key = String(writtenManifest().input.Key);
    expect(key).toMatch(/^runs\/2026\/11\/26\/[A-Za-z0-9._=-]+\/manifest\.json$/);
    expect(key).not.toContain('..');
  });

  it.each([
    [null, 'event'],
    [{ execution }, 'state'],
    [{ state: {}, execution: { startTime: execution.startTime } }, 'execution.name'],
    [{ state: {}, execution: { name: 'x', startTime: 'yesterday' } }, 'execution.startTime'],
  ])('rejects %j naming the field %s', async (event, field) => {
    await expect(handler(event, fakeContext('write-report'))).rejects.toMatchObject({
      name: 'InvalidRequestError',
      field,
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('fails the task with ManifestWriteError (caught, not retried) when S3 refuses the manifest', async () => {
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
    );

    await expect(handler({ state: {}, execution }, fakeContext('write-report'))).rejects.toMatchObject({
      name: 'ManifestWriteError',
      message: expect.stringContaining('AccessDenied: Access Denied'),
    });
  });

  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
    ['RequestTimeout', 400],
  ])(
    'turns S3 %s into ReportStoreUnavailableError, which the state machine retries',
    async (name, status) => {
      s3.on(PutObjectCommand).rejects(
        Object.assign(new Error('try again'), { name, $metadata: { httpStatusCode: status } }),
      );

      await expect(handler({ state: {}, execution }, fakeContext('write-report'))).rejects.toMatchObject({
        name: 'ReportStoreUnavailableError',
      });
    },
  );

  it('on the Catch path (reportError in the state) writes nothing and says the manifest was not written', async () => {
    const result = await handler(
      {
        state: {
          resolved,
          results: [],
          reportError: { Error: 'ManifestWriteError', Cause: 'refused' },
        },
        execution,
      },
      fakeContext('write-report'),
    );

    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(result).toMatchObject({ manifestWritten: false, captured: 0, outcome: 'failed' });
  });
});
