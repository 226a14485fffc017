import { buildManifest } from '../../../functions/write-report/report.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

const execution = { name: 'e778e4cf-checkout-cpu-high', startTime: '2026-11-26T04:00:00.000Z' };
const run = { executionName: execution.name, prefix: `runs/2026/11/26/${execution.name}/` };
const target = (id: string) => ({
  cluster: 'prod',
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
  container: 'app',
  script: 'basic',
});

describe('write-report: the Map state failed as a whole', () => {
  it('lists every resolved target as failed with the Map error, instead of reporting no targets', () => {
    const runError = {
      Error: 'States.DataLimitExceeded',
      Cause: 'The state/task returned a result too large',
    };

    const { manifest } = buildManifest(
      {
        state: {
          resolved: { run, targets: [target('a'), target('b')], skipped: [], maxConcurrency: 5 },
          runError,
        },
        execution,
      },
      new Date('2026-11-26T04:05:00.000Z'),
    );

    expectValidManifest(manifest);
    expect(manifest.summary).toEqual({
      targets: 2,
      byStatus: { succeeded: 0, partial: 0, 'not-applicable': 0, failed: 2 },
      skipped: 0,
      leftOut: 0,
    });
    expect(manifest.targets.map((result) => [result.target.taskArn, result.status])).toEqual([
      [target('a').taskArn, 'failed'],
      [target('b').taskArn, 'failed'],
    ]);
    expect(manifest.targets[0]?.error?.name).toBe('States.DataLimitExceeded');
    expect(manifest.targets[0]?.error?.message).toContain('no result was recorded for this target');
    expect(manifest.errors).toEqual([
      { stage: 'RunTargets', name: 'States.DataLimitExceeded', message: runError.Cause },
    ]);
    expect(manifest.outcome).toBe('failed');
  });
});
