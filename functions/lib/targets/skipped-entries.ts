/** Skipped entries of a run: why a task, container or whole location is not diagnosed, kept small. */
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import type { SkippedTarget } from '../contracts.ts';
import { describeError } from '../errors.ts';
import type { ReadinessCheck } from '../manifest.ts';
import { boundChecks } from '../readiness/checks.ts';
import { taskChecks } from '../readiness/task.ts';
import { lastArnSegment } from '../s3-keys.ts';
import type { Location } from './location.ts';

/** Most bytes of readiness findings on one skipped entry (they travel in state). */
const SKIPPED_READINESS_BYTES = 2048;
/** Most skipped entries listed per location; the rest are summarised in one entry. */
const MAX_SKIPPED_PER_LOCATION = 20;

/** A skipped entry with the task-level readiness findings, when the task could be described. */
export type SkippedWithReadiness = SkippedTarget & { readiness?: ReadinessCheck[] };

/** Errors that concern one location only (its names, its cluster or service): skipped when others remain. */
export const LOCATION_ERRORS = new Set([
  'InvalidRequestError',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'InvalidParameterException',
  'AccessDeniedException',
]);

/** The cheap, task-level readiness findings for a skipped task (no AWS call beyond its task definition). */
export async function skippedReadiness(
  task: Task,
  definitions: (arn: string) => Promise<TaskDefinition | undefined>,
  container?: string,
): Promise<ReadinessCheck[]> {
  let definition: TaskDefinition | undefined;
  if (task.taskDefinitionArn !== undefined) {
    try {
      definition = await definitions(task.taskDefinitionArn);
    } catch {
      // The checks that need it say "not checked".
    }
  }
  return boundChecks(
    taskChecks({
      task,
      ...(definition !== undefined ? { definition } : {}),
      ...(container !== undefined ? { container } : {}),
    }),
    SKIPPED_READINESS_BYTES,
  );
}

/** Cuts a location's skipped entries to MAX_SKIPPED_PER_LOCATION, the rest counted in one entry (in place). */
export function capSkipped(skipped: SkippedWithReadiness[], cluster: string): void {
  if (skipped.length <= MAX_SKIPPED_PER_LOCATION) return;
  const more = skipped.length - MAX_SKIPPED_PER_LOCATION;
  skipped.splice(MAX_SKIPPED_PER_LOCATION, more, {
    cluster,
    reason: `and ${more} more tasks or containers skipped`,
  });
}

/** The skipped entry of a location that could not be resolved: its cluster and service as given, and why. */
export function locationSkipped(location: Location, error: unknown): SkippedTarget {
  const { name, message } = describeError(error);
  const where =
    location.service === undefined ? '' : ` service ${JSON.stringify(location.service.slice(0, 255))}`;
  return {
    cluster: lastArnSegment(location.cluster).slice(0, 255),
    reason: `location skipped (from ${location.origin}${where}): ${name}: ${message.slice(0, 500)}`,
  };
}
