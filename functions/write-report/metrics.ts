/**
 * The run's metrics (Powertools Metrics, EMF on stdout): low-cardinality names only; the execution, alarm
 * and cluster go in as metadata, never as dimensions.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Manifest } from '#lib/manifest.ts';

/** One metric value. */
export interface MetricValue {
  name: string;
  unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  value: number;
}

/** The values one run contributes, from its manifest and how publishing went. */
export function runMetrics(manifest: Manifest, notificationFailures: number): MetricValue[] {
  const { byStatus } = manifest.summary;
  const count = (name: string, value: number): MetricValue => ({ name, unit: MetricUnit.Count, value });
  const captured = manifest.targets.filter((target) => target.capture !== undefined);
  const retries = manifest.targets
    .flatMap((target) => target.attempts)
    .filter((attempt) => attempt.error?.name === 'TargetNotConnectedException').length;
  return [
    count('RunsSucceeded', manifest.outcome === 'succeeded' ? 1 : 0),
    count('RunsPartial', manifest.outcome === 'partial' ? 1 : 0),
    count('RunsFailed', manifest.outcome === 'failed' ? 1 : 0),
    count('TargetsSucceeded', byStatus.succeeded),
    count('TargetsPartial', byStatus.partial),
    count('TargetsNotApplicable', byStatus['not-applicable']),
    count('TargetsFailed', byStatus.failed),
    count('TasksSkipped', manifest.summary.skipped),
    count('TasksLeftOut', manifest.summary.leftOut),
    count('TargetNotConnectedRetries', retries),
    {
      name: 'BytesCaptured',
      unit: MetricUnit.Bytes,
      value: captured.reduce((n, t) => n + (t.bytes ?? 0), 0),
    },
    {
      name: 'CaptureSeconds',
      unit: MetricUnit.Seconds,
      value: captured.reduce((n, t) => n + (t.capture?.durationMs ?? 0), 0) / 1000,
    },
    count(
      'Redactions',
      manifest.targets.reduce((n, t) => n + (t.redactions ?? 0), 0),
    ),
    count('NotificationFailures', notificationFailures),
  ];
}

/** Emits one run's metrics in a single EMF blob. */
export function emitRunMetrics(metrics: Metrics, manifest: Manifest, notificationFailures: number): void {
  for (const metric of runMetrics(manifest, notificationFailures)) {
    metrics.addMetric(metric.name, metric.unit, metric.value);
  }
  metrics.addMetadata('executionName', manifest.executionName);
  if (manifest.alarm !== undefined) metrics.addMetadata('alarmName', manifest.alarm.name.slice(0, 255));
  const cluster = manifest.targets[0]?.target.cluster;
  if (cluster !== undefined) metrics.addMetadata('cluster', cluster.slice(0, 255));
  metrics.publishStoredMetrics();
}
