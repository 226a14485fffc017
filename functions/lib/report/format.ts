/** Formatting shared by the summary and the page: sizes, durations, times, and the alarm's datapoints. */
import type { Manifest, ManifestTarget, TargetStatus } from '../manifest.ts';
import { lastArnSegment } from '../s3-keys.ts';

/** The order statuses are listed in: what needs a look first. */
export const STATUS_ORDER: readonly TargetStatus[] = ['failed', 'partial', 'not-applicable', 'succeeded'];

/** `1.2 KiB`, `3.4 MiB`, `512 B`. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 9.95 ? 1 : 0)} ${units[unit]}`;
}

/** `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 172_800_000)
    return `${Math.floor(ms / 86_400_000)} d ${Math.floor((ms % 86_400_000) / 3_600_000)} h`;
  if (ms >= 3_600_000) {
    const hours = Math.floor(ms / 3_600_000);
    return `${hours} h ${Math.round((ms % 3_600_000) / 60_000)
      .toString()
      .padStart(2, '0')} min`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds.toString().padStart(2, '0')} s`;
}

/** Parses an ISO time, including CloudWatch's `+0000` offsets; undefined when it is not a time. */
export function parseTime(value: string | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** `2025-03-14 09:27:41 UTC`, or the text itself when it is not a time. */
export function formatTime(value: string | undefined): string {
  const ms = parseTime(value);
  if (ms === undefined) return value ?? '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `+12.3 s` after `origin` (or `−1.0 s` before it); a moment a day or more away is shown as its time. */
export function formatOffset(ms: number, origin: number): string {
  const delta = ms - origin;
  if (Math.abs(delta) >= 86_400_000) return formatTime(new Date(ms).toISOString());
  return `${delta < 0 ? '−' : '+'}${formatDuration(Math.abs(delta))}`;
}

/** The short task id of a task ARN. */
export function shortTask(taskArn: string): string {
  return lastArnSegment(taskArn);
}

/** The service a target belongs to, for grouping. */
export function serviceOf(target: ManifestTarget): string {
  return target.task?.service ?? 'service not recorded';
}

/** Targets ordered for reading: by service, then failed → partial → not-applicable → succeeded, then task. */
export function orderTargets(targets: readonly ManifestTarget[]): ManifestTarget[] {
  return [...targets].sort(
    (a, b) =>
      serviceOf(a).localeCompare(serviceOf(b)) ||
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
      a.target.taskArn.localeCompare(b.target.taskArn) ||
      a.target.container.localeCompare(b.target.container),
  );
}

/** `2 succeeded, 1 partial, 0 not applicable, 0 failed`. */
export function statusCounts(manifest: Manifest): string {
  return (['succeeded', 'partial', 'not-applicable', 'failed'] as const)
    .map((status) => `${manifest.summary.byStatus[status] ?? 0} ${status.replace('-', ' ')}`)
    .join(', ');
}

/** One evaluated datapoint of the alarm. */
export interface Datapoint {
  timestamp?: string;
  value: number;
}

/** What the alarm's `reasonData` says, when it has the usual metric-alarm shape. */
export interface ReasonFacts {
  statistic?: string;
  period?: number;
  threshold?: number;
  recent: number[];
  evaluated: Datapoint[];
}

/** Reads the datapoints out of `reasonData` (a parsed object or its JSON string); undefined when absent. */
export function reasonFacts(reasonData: unknown): ReasonFacts | undefined {
  let data = reasonData;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const recent = Array.isArray(record.recentDatapoints)
    ? record.recentDatapoints.filter((value): value is number => typeof value === 'number').slice(0, 50)
    : [];
  const evaluated = Array.isArray(record.evaluatedDatapoints)
    ? record.evaluatedDatapoints
        .filter(
          (point): point is { timestamp?: unknown; value: number } =>
            typeof point === 'object' && point !== null && typeof point.value === 'number',
        )
        .slice(0, 50)
        .map((point) => ({
          value: point.value,
          ...(typeof point.timestamp === 'string' ? { timestamp: point.timestamp } : {}),
        }))
    : [];
  return {
    ...(typeof record.statistic === 'string' ? { statistic: record.statistic } : {}),
    ...(typeof record.period === 'number' ? { period: record.period } : {}),
    ...(typeof record.threshold === 'number' ? { threshold: record.threshold } : {}),
    recent,
    evaluated,
  };
}

/** `GreaterThanThreshold` → `>`; unknown operators are returned as they are. */
export function comparisonSymbol(operator: string | undefined): string | undefined {
  const symbols: Record<string, string> = {
    GreaterThanThreshold: '>',
    GreaterThanOrEqualToThreshold: '≥',
    LessThanThreshold: '<',
    LessThanOrEqualToThreshold: '≤',
    LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
    LessThanLowerThreshold: 'below the band',
    GreaterThanUpperThreshold: 'above the band',
  };
  return operator === undefined ? undefined : (symbols[operator] ?? operator);
}
