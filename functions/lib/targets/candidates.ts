/**
 * The candidate tasks of each location: listed (ListTasks) or given, then described once per cluster
 * (DescribeTasks, 100 per call) for every location of that cluster together.
 */
import type { ECSClient, Failure, Task } from '@aws-sdk/client-ecs';
import type { SkippedTarget } from '../contracts.ts';
import { InvalidRequestError } from '../errors.ts';
import { lastArnSegment } from '../s3-keys.ts';
import { describeTasks, listTaskArns } from './ecs-tasks.ts';
import type { Location } from './location.ts';
import { withoutMalformedHints } from './location-hints.ts';
import { taskIdOf } from './selection.ts';

/** A location with its candidate task ARNs (listed) and what the hint checks left out. */
export interface PreparedLocation {
  location: Location;
  arns: string[];
  skipped: SkippedTarget[];
}

/** The tasks DescribeTasks returned and the failures it reported, both by task id. */
export interface DescribedTasks {
  tasks: Map<string, Task>;
  failures: Map<string, Failure>;
}

/** Candidate tasks of one location: the explicit list, a service's or family's tasks, or the TaskId alone. */
async function candidateTasks(ecs: ECSClient, location: Location): Promise<string[]> {
  if (location.tasks !== undefined) return location.tasks;
  let arns: string[] = [];
  if (location.service !== undefined || location.family !== undefined) {
    const query: { cluster: string; service?: string; family?: string } = { cluster: location.cluster };
    if (location.service !== undefined) query.service = location.service;
    if (location.family !== undefined) query.family = location.family;
    arns = await listTaskArns(ecs, query);
  }
  const preferred = location.preferredTaskId;
  if (preferred !== undefined && !arns.some((arn) => taskIdOf(arn) === preferred)) arns.unshift(preferred);
  if (arns.length === 0 && location.service === undefined && location.family === undefined) {
    throw new InvalidRequestError(
      'service',
      `${location.origin} names cluster ${JSON.stringify(location.cluster)} but no service, tasks or task family; add a ServiceName dimension, an ecs-diagnostics:service tag, a routing route with a service, or pass service in the request`,
    );
  }
  return arns;
}

/** Checks a location's hints and lists its candidate tasks. */
export async function prepareLocation(ecs: ECSClient, raw: Location): Promise<PreparedLocation> {
  const cluster = lastArnSegment(raw.cluster);
  const checked = withoutMalformedHints(raw);
  const skipped: SkippedTarget[] = checked.skipped.map((reason) => ({ cluster, reason }));
  return { location: checked.location, arns: await candidateTasks(ecs, checked.location), skipped };
}

/**
 * DescribeTasks for every location of one cluster at once, 100 tasks per call whatever the number of
 * services: a sweep of 1000 tasks over 50 services costs 10 calls, not 50.
 */
export async function describeForCluster(
  ecs: ECSClient,
  cluster: string,
  prepared: readonly PreparedLocation[],
): Promise<DescribedTasks> {
  const unique = new Map<string, string>();
  for (const entry of prepared) for (const arn of entry.arns) unique.set(taskIdOf(arn), arn);
  const described =
    unique.size === 0 ? { tasks: [], failures: [] } : await describeTasks(ecs, cluster, [...unique.values()]);
  const tasks = new Map<string, Task>();
  for (const task of described.tasks) tasks.set(taskIdOf(task.taskArn ?? ''), task);
  const failures = new Map<string, Failure>();
  for (const failure of described.failures) failures.set(taskIdOf(failure.arn ?? ''), failure);
  return { tasks, failures };
}
