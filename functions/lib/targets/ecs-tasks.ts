/** The ECS reads of target resolution: task lists, task descriptions in batches of 100, task definitions. */
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type Failure,
  ListTasksCommand,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { lastArnSegment } from '../s3-keys.ts';

/** DescribeTasks accepts at most 100 tasks per call. */
export const DESCRIBE_BATCH = 100;
/** Most task ARNs read from one service or family (ten DescribeTasks calls). */
export const MAX_LISTED_TASKS = 1000;

/** The RUNNING-desired task ARNs of a service or family, every page (up to MAX_LISTED_TASKS). */
export async function listTaskArns(
  ecs: ECSClient,
  query: { cluster: string; service?: string; family?: string },
): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListTasksCommand({
        cluster: query.cluster,
        // ListTasks filters by service name; a request may give the service ARN.
        serviceName: query.service === undefined ? undefined : lastArnSegment(query.service),
        family: query.service === undefined ? query.family : undefined,
        desiredStatus: 'RUNNING',
        maxResults: 100,
        nextToken,
      }),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined && arns.length < MAX_LISTED_TASKS);
  return arns.slice(0, MAX_LISTED_TASKS);
}

/** DescribeTasks over any number of tasks, 100 per call; failures (MISSING ...) come back alongside. */
export async function describeTasks(
  ecs: ECSClient,
  cluster: string,
  tasks: readonly string[],
): Promise<{ tasks: Task[]; failures: Failure[] }> {
  const described: Task[] = [];
  const failures: Failure[] = [];
  for (let start = 0; start < tasks.length; start += DESCRIBE_BATCH) {
    const batch = tasks.slice(start, start + DESCRIBE_BATCH);
    const answer = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
    described.push(...(answer.tasks ?? []));
    failures.push(...(answer.failures ?? []));
  }
  return { tasks: described, failures };
}

/**
 * Task definitions by ARN, each read once per invocation. A task definition says which containers are
 * essential and whether the task shares one PID namespace; when it cannot be read the caller falls back.
 */
export function taskDefinitionReader(ecs: ECSClient): (arn: string) => Promise<TaskDefinition | undefined> {
  const cache = new Map<string, Promise<TaskDefinition | undefined>>();
  return (arn) => {
    let pending = cache.get(arn);
    if (pending === undefined) {
      pending = ecs
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))
        .then((answer) => answer.taskDefinition);
      cache.set(arn, pending);
    }
    return pending;
  };
}
