/**
 * The ECS Exec readiness checks for one task: cluster, task, task role, network and our side, each a
 * pass, a fail with evidence and fix, a warning, or "not checked" with the reason. Used by the
 * check-readiness function and `ecs-diag check`. Check ids: CHECK_TITLES (and the README table).
 */

import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  type Cluster,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type Task,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import { arnParts, kmsKeyArn } from './arn.ts';
import { callerCheck } from './caller.ts';
import { fail, notChecked, notCheckedAfter, type ReadinessCheck } from './checks.ts';
import { clusterConfigCheck, clusterLoggingCheck, describeCluster } from './cluster.ts';
import { networkChecks } from './network.ts';
import { type TaskFacts, taskChecks } from './task.ts';
import { taskRoleChecks, taskRoleOf } from './task-role.ts';

export { anyFailed, boundChecks, CHECK_TITLES, type CheckId, type ReadinessCheck } from './checks.ts';
export { taskChecks } from './task.ts';

/** The clients the full set needs. */
export interface ReadinessClients {
  ecs: ECSClient;
  iam: IAMClient;
  ec2: EC2Client;
}

/** Which task to check. */
export interface ReadinessRequest {
  cluster: string;
  /** Task ARN or id. */
  task: string;
  container?: string;
  /** The role (or user) that calls ExecuteCommand: for the caller check. */
  principalArn?: string;
}

async function agentVersionOf(ecs: ECSClient, task: Task): Promise<TaskFacts['agentVersion']> {
  if (task.launchType !== 'EC2' || task.containerInstanceArn === undefined) return undefined;
  try {
    const answer = await ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: task.clusterArn,
        containerInstances: [task.containerInstanceArn],
      }),
    );
    const version = answer.containerInstances?.[0]?.versionInfo?.agentVersion;
    return (
      version ?? {
        unknown: `DescribeContainerInstances gave no agent version for ${task.containerInstanceArn}`,
      }
    );
  } catch (error) {
    return {
      unknown: notCheckedAfter('task.platform', error, 'ecs:DescribeContainerInstances').evidence ?? '',
    };
  }
}

/** Runs every check for one task. AWS errors become "not checked" findings; this never throws for them. */
export async function runReadinessChecks(
  clients: ReadinessClients,
  request: ReadinessRequest,
): Promise<ReadinessCheck[]> {
  let task: Task | undefined;
  try {
    const answer = await clients.ecs.send(
      new DescribeTasksCommand({ cluster: request.cluster, tasks: [request.task] }),
    );
    task = answer.tasks?.[0];
    if (task === undefined) {
      const reason = answer.failures?.[0]?.reason ?? 'MISSING';
      return [
        fail(
          'task.running',
          `DescribeTasks found no task ${request.task} in cluster ${request.cluster} (${reason})`,
          'the task may have stopped: check the service events, or name a running task',
        ),
      ];
    }
  } catch (error) {
    return [notCheckedAfter('task.running', error, 'ecs:DescribeTasks')];
  }

  let definition: TaskDefinition | undefined;
  if (task.taskDefinitionArn !== undefined) {
    try {
      const answer = await clients.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }),
      );
      definition = answer.taskDefinition;
    } catch {
      // The checks that need it say "not checked".
    }
  }

  const checks: ReadinessCheck[] = [];
  let cluster: Cluster | undefined;
  try {
    cluster = await describeCluster(clients.ecs, task.clusterArn ?? request.cluster);
    checks.push(
      cluster === undefined
        ? notChecked('cluster.exec-config', `DescribeClusters found no cluster ${request.cluster}`)
        : clusterConfigCheck(cluster),
    );
  } catch (error) {
    checks.push(notCheckedAfter('cluster.exec-config', error, 'ecs:DescribeClusters'));
  }

  const facts: TaskFacts = { task };
  if (definition !== undefined) facts.definition = definition;
  if (request.container !== undefined) facts.container = request.container;
  const agentVersion = await agentVersionOf(clients.ecs, task);
  if (agentVersion !== undefined) facts.agentVersion = agentVersion;
  checks.push(...taskChecks(facts));

  const where = arnParts(task.taskArn ?? '') ?? arnParts(task.clusterArn ?? '');
  const configuredKey = cluster?.configuration?.executeCommandConfiguration?.kmsKeyId;
  const key =
    configuredKey !== undefined && where !== undefined ? kmsKeyArn(configuredKey, where) : undefined;
  checks.push(
    ...(await taskRoleChecks(clients.iam, {
      task,
      ...(definition !== undefined ? { definition } : {}),
      ...(key !== undefined ? { kmsKeyArn: key } : {}),
    })),
  );
  if (cluster !== undefined) {
    const logging = await clusterLoggingCheck(clients.iam, cluster, taskRoleOf(task, definition).arn);
    if (logging !== undefined) checks.push(logging);
  }
  checks.push(...(await networkChecks(clients.ec2, task, where?.region ?? 'us-east-1')));
  checks.push(
    await callerCheck(clients.iam, {
      ...(request.principalArn !== undefined ? { principalArn: request.principalArn } : {}),
      clusterArn: task.clusterArn ?? request.cluster,
      taskArn: task.taskArn ?? request.task,
      ...(key !== undefined ? { kmsKeyArn: key } : {}),
    }),
  );
  return checks;
}
