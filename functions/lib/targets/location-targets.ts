/**
 * One location's described tasks → preflight → sample → containers → targets, with a skipped entry for
 * every task or container left out and the eligible tasks that sampling left out.
 */
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { SkippedTarget, Target } from '../contracts.ts';
import { describeError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { LeftOutTask } from '../manifest.ts';
import { lastArnSegment } from '../s3-keys.ts';
import type { DescribedTasks, PreparedLocation } from './candidates.ts';
import { chooseContainers, preflightTask, sampleTasks, taskIdOf } from './selection.ts';
import { capSkipped, type SkippedWithReadiness, skippedReadiness } from './skipped-entries.ts';

/** How a location's tasks become targets: the run's limits, script and container choice. */
export interface LocationOptions {
  maxTasks: number;
  script: string;
  /** The request's container: above everything. */
  containerOverride?: string;
  /** Tags' or routing's container: below the location's own (a ContainerName dimension). */
  containerFallback?: string;
  definitions: (arn: string) => Promise<TaskDefinition | undefined>;
}

/** The targets of one location, and what it left out. */
export interface LocationResult {
  targets: Target[];
  skipped: SkippedWithReadiness[];
  leftOut: LeftOutTask[];
}

/** The described tasks of a location's candidates; the missing ones as skipped entries. */
function foundTasks(
  cluster: string,
  arns: readonly string[],
  described: DescribedTasks,
  skipped: SkippedWithReadiness[],
): Task[] {
  const found: Task[] = [];
  for (const arn of arns) {
    const task = described.tasks.get(taskIdOf(arn));
    if (task !== undefined) {
      found.push(task);
      continue;
    }
    const failure = described.failures.get(taskIdOf(arn));
    const entry: SkippedTarget = {
      cluster,
      reason: `DescribeTasks: ${failure?.reason ?? 'MISSING'}${failure?.detail ? ` (${failure.detail})` : ''}`,
    };
    entry.taskArn = failure?.arn ?? arn;
    skipped.push(entry);
  }
  return found;
}

/** Resolves one prepared location against its cluster's described tasks. */
export async function resolveLocation(
  { location, arns, skipped: hintSkips }: PreparedLocation,
  described: DescribedTasks,
  options: LocationOptions,
): Promise<LocationResult> {
  const cluster = lastArnSegment(location.cluster);
  const skipped: SkippedWithReadiness[] = [...hintSkips];
  if (arns.length === 0) {
    const what =
      location.service !== undefined ? `service ${location.service}` : `family ${location.family ?? ''}`;
    return {
      targets: [],
      skipped: [
        ...skipped,
        { cluster, reason: `no RUNNING tasks found for ${what} (from ${location.origin})` },
      ],
      leftOut: [],
    };
  }
  const found = foundTasks(cluster, arns, described, skipped);

  const eligible: Task[] = [];
  for (const task of found) {
    const reason = preflightTask(task, location.service);
    if (reason === undefined) eligible.push(task);
    else
      skipped.push({
        cluster,
        taskArn: task.taskArn ?? '',
        reason,
        readiness: await skippedReadiness(task, options.definitions),
      });
  }
  const explicit = location.tasks !== undefined;
  const sample = explicit ? eligible : sampleTasks(eligible, options.maxTasks, location.preferredTaskId);
  const sampled = new Set(sample.map((task) => task.taskArn));
  const leftOut: LeftOutTask[] = eligible
    .filter((task) => !sampled.has(task.taskArn))
    .map((task) => ({
      cluster,
      ...(location.service === undefined ? {} : { service: lastArnSegment(location.service) }),
      taskArn: task.taskArn ?? '',
      reason: `not sampled: ${sample.length} of ${eligible.length} eligible tasks diagnosed (maxTasks ${options.maxTasks}, spread across zones)`,
    }));

  const targets: Target[] = [];
  const container = options.containerOverride ?? location.container ?? options.containerFallback;
  for (const task of sample) {
    let definition: TaskDefinition | undefined;
    if (container === undefined && task.taskDefinitionArn !== undefined) {
      try {
        definition = await options.definitions(task.taskDefinitionArn);
      } catch (error) {
        logger.warn('task definition unreadable; choosing containers without it', {
          error: describeError(error),
        });
      }
    }
    for (const choice of chooseContainers(task, container, definition)) {
      if ('skipped' in choice) {
        const entry: SkippedWithReadiness = {
          cluster,
          taskArn: task.taskArn ?? '',
          reason: choice.skipped.reason,
          readiness: await skippedReadiness(task, options.definitions, choice.skipped.container),
        };
        if (choice.skipped.container !== undefined) entry.container = choice.skipped.container;
        skipped.push(entry);
        continue;
      }
      const target: Target = {
        cluster,
        taskArn: task.taskArn ?? '',
        container: choice.container.name ?? '',
        script: options.script,
      };
      const service = task.group?.startsWith('service:')
        ? task.group.slice('service:'.length)
        : location.service;
      if (service !== undefined) target.service = lastArnSegment(service);
      if (task.availabilityZone !== undefined) target.az = task.availabilityZone;
      if (choice.container.runtimeId !== undefined) target.runtimeId = choice.container.runtimeId;
      targets.push(target);
    }
  }
  capSkipped(skipped, cluster);
  return { targets, skipped, leftOut };
}
