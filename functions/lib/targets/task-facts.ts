/**
 * The task facts a target carries from resolve-targets' batched DescribeTasks (in targets.jsonl) to the
 * manifest: image, digest, revision, launch type, platform version, start time. Neither run-diagnostic nor
 * WriteReport describes a task for them. Each fact is untrusted text (an image name is whatever the task
 * definition says), escaped and bounded, so every Target stays small.
 */
import type { Task } from '@aws-sdk/client-ecs';
import type { Target, TargetFacts } from '../contracts.ts';
import type { TaskFacts } from '../manifest.ts';
import { boundString, escapeInvisible } from '../untrusted-text.ts';

/** The longest value of each fact (an image reference is at most 255 characters in ECS; room for escapes). */
export const TARGET_FACT_LIMITS: Readonly<Record<keyof TargetFacts, number>> = {
  image: 512,
  imageDigest: 160,
  taskDefinition: 320,
  launchType: 32,
  platformVersion: 32,
  startedAt: 32,
};

const FACT_KEYS = Object.keys(TARGET_FACT_LIMITS) as (keyof TargetFacts)[];
/** Room for boundString's `…[N more characters]` marker. */
const MARKER_ROOM = 32;

function bounded(value: string, max: number): string {
  const escaped = escapeInvisible(value);
  return escaped.length <= max ? escaped : boundString(escaped, max - MARKER_ROOM);
}

/** The facts of `task` for its container `containerName`, each escaped and bounded (absent ones left out). */
export function targetFacts(task: Task, containerName: string): TargetFacts {
  const container = task.containers?.find((candidate) => candidate.name === containerName);
  const startedAt =
    task.startedAt instanceof Date && !Number.isNaN(task.startedAt.getTime())
      ? task.startedAt.toISOString()
      : undefined;
  const values: Record<keyof TargetFacts, string | undefined> = {
    image: container?.image,
    imageDigest: container?.imageDigest,
    taskDefinition: task.taskDefinitionArn?.split('/').pop(),
    launchType: task.launchType,
    platformVersion: task.platformVersion,
    startedAt,
  };
  const facts: TargetFacts = {};
  for (const key of FACT_KEYS) {
    const value = values[key];
    if (typeof value === 'string' && value !== '') facts[key] = bounded(value, TARGET_FACT_LIMITS[key]);
  }
  return facts;
}

/** What the manifest says about a target's task: its service and zone, and the facts it carries. */
export function manifestTaskFacts(target: Target): TaskFacts | undefined {
  const facts: TaskFacts = {
    ...(target.service === undefined ? {} : { service: target.service }),
    ...target.facts,
    ...(target.az === undefined ? {} : { az: target.az }),
  };
  return Object.keys(facts).length === 0 ? undefined : facts;
}
