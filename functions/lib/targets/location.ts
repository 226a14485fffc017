/**
 * A Location is where to look for tasks: a cluster plus a service, a task definition family, or a task
 * list, with the container and script when something named them. Alarm dimensions, alarm tags, the
 * routing file and the request itself all turn into Locations.
 */
import type { AlarmMetric } from '../request.ts';

/** Where to look for tasks, and why. */
export interface Location {
  cluster: string;
  service?: string;
  /** Task definition family (Container Insights TaskDefinitionFamily dimension). */
  family?: string;
  /** Explicit task ids or ARNs: exactly these, no sampling. */
  tasks?: string[];
  /** The task a TaskId dimension named: sampled first. */
  preferredTaskId?: string;
  container?: string;
  script?: string;
  /** What produced it (`request`, `dimensions`, `tags`, `routing[2]`, `child alarm NAME`). */
  origin: string;
}

/** The ECS dimension names this project understands. */
export const ECS_DIMENSIONS = [
  'ClusterName',
  'ServiceName',
  'TaskId',
  'ContainerName',
  'TaskDefinitionFamily',
];

/** Most locations one alarm may fan out to (a metric-math alarm over many services). */
export const MAX_LOCATIONS = 5;

/**
 * True when a metric's ClusterName dimension may name an ECS cluster: AWS/ECS, ECS/ContainerInsights and
 * custom namespaces. EKS Container Insights (`ContainerInsights`) and other AWS services (`AWS/EKS`, ...)
 * use the same dimension name for clusters that are not ECS clusters.
 */
export function isEcsNamespace(namespace: string | undefined): boolean {
  if (namespace === undefined || namespace === 'AWS/ECS' || namespace.startsWith('ECS/')) return true;
  return (
    !namespace.startsWith('AWS/') &&
    namespace !== 'ContainerInsights' &&
    !namespace.startsWith('ContainerInsights/')
  );
}

/**
 * Locations from the dimensions of an alarm's metrics (metric-math alarms: every metricStat entry).
 * Metrics without a ClusterName dimension, or of a non-ECS namespace, name no ECS resource and are left
 * out; equal locations merge.
 */
export function locationsFromMetrics(metrics: readonly AlarmMetric[], origin = 'dimensions'): Location[] {
  const locations: Location[] = [];
  for (const metric of metrics) {
    const d = metric.dimensions;
    const cluster = d.ClusterName;
    if (cluster === undefined || cluster === '' || !isEcsNamespace(metric.namespace)) continue;
    const location: Location = { cluster, origin };
    if (d.ServiceName) location.service = d.ServiceName;
    if (d.TaskDefinitionFamily) location.family = d.TaskDefinitionFamily;
    if (d.TaskId) location.preferredTaskId = d.TaskId;
    if (d.ContainerName) location.container = d.ContainerName;
    locations.push(location);
  }
  return dedupeLocations(locations);
}

/** Keeps the first of locations that name the same cluster, service, family, task and container. */
export function dedupeLocations(locations: readonly Location[]): Location[] {
  const seen = new Map<string, Location>();
  for (const location of locations) {
    const key = JSON.stringify([
      location.cluster,
      location.service,
      location.family,
      location.preferredTaskId,
      location.container,
    ]);
    if (!seen.has(key)) seen.set(key, location);
  }
  return [...seen.values()];
}

/** True when any metric of the alarm names an ECS cluster. */
export function hasEcsDimensions(metrics: readonly AlarmMetric[]): boolean {
  return metrics.some(
    (metric) => (metric.dimensions.ClusterName ?? '') !== '' && isEcsNamespace(metric.namespace),
  );
}
