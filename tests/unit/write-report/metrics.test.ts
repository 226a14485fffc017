import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Manifest } from '#lib/manifest.ts';
import { emitRunMetrics, runMetrics } from '../../../functions/write-report/metrics.ts';
import { buildManifest } from '../../../functions/write-report/report.ts';

const execution = { name: 'e778e4cf-checkout-cpu-high', startTime: '2026-11-26T04:00:00.000Z' };
const target = (id: string) => ({
  cluster: 'prod',
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
  container: 'app',
  script: 'basic',
});
const capture = {
  startedAt: '2026-11-26T04:00:01.000Z',
  endedAt: '2026-11-26T04:00:03.500Z',
  durationMs: 2500,
  newlines: 'stty-onlcr-off' as const,
};

function manifest(): Manifest {
  return buildManifest(
    {
      state: {
        results: [
          {
            target: target('a'),
            status: 'succeeded',
            s3Key: 'k',
            bytes: 100,
            exitCode: 0,
            redactions: 2,
            capture,
          },
          {
            target: target('b'),
            status: 'partial',
            partialReasons: ['exit-code'],
            s3Key: 'k2',
            bytes: 50,
            exitCode: 1,
            redactions: 1,
            capture,
          },
          {
            target: target('c'),
            status: 'failed',
            error: { Error: 'TargetNotConnectedException', Cause: 'x' },
          },
        ],
      },
      execution,
    },
    new Date(),
  ).manifest;
}

describe('write-report metrics', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('counts runs by outcome, targets by status, retries, bytes, capture seconds, redactions and failures', () => {
    const values = Object.fromEntries(runMetrics(manifest(), 1).map((metric) => [metric.name, metric.value]));

    expect(values).toMatchObject({
      RunsSucceeded: 0,
      RunsPartial: 1,
      RunsFailed: 0,
      TargetsSucceeded: 1,
      TargetsPartial: 1,
      TargetsNotApplicable: 0,
      TargetsFailed: 1,
      TargetNotConnectedRetries: 1,
      BytesCaptured: 150,
      CaptureSeconds: 5,
      Redactions: 3,
      NotificationFailures: 1,
    });
  });

  it('emits one EMF blob whose only dimension is the service; the execution and cluster are metadata', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const lines: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({ namespace: 'EcsAlarmDiagnosticsTest', serviceName: 'write-report' });
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';

    emitRunMetrics(metrics, manifest(), 0);

    const blobs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(blobs).toHaveLength(1);
    const blob = blobs[0] as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    } & Record<string, unknown>;
    expect(blob._aws.CloudWatchMetrics[0]?.Namespace).toBe('EcsAlarmDiagnosticsTest');
    expect(blob._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(blob).toMatchObject({
      RunsPartial: 1,
      TargetsFailed: 1,
      executionName: execution.name,
      cluster: 'prod',
    });
  });
});
