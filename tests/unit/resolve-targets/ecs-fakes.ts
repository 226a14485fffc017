/** Small builders of ECS shapes for the resolve-targets tests (the SDK's deserialised form). */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type Container, ECSClient, type Task } from '@aws-sdk/client-ecs';
import type { ResolveConfig } from '#lib/targets/resolve.ts';

export const ACCOUNT = '493817260514';
export const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/payments-prod`;

/** A 32-hex task id from a number. */
export function taskId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

export function taskArn(n: number): string {
  return `arn:aws:ecs:us-east-1:${ACCOUNT}:task/payments-prod/${taskId(n)}`;
}

export function container(name: string, overrides: Partial<Container> & { agent?: string } = {}): Container {
  const { agent = 'RUNNING', ...rest } = overrides;
  return {
    name,
    image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${name}:1`,
    runtimeId: `${name}-runtime`,
    lastStatus: 'RUNNING',
    managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: agent }],
    ...rest,
  };
}

export function task(n: number, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: taskArn(n),
    clusterArn: CLUSTER_ARN,
    availabilityZone: 'us-east-1a',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    enableExecuteCommand: true,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/checkout-api:42`,
    group: 'service:checkout-api',
    containers: [container('checkout', { runtimeId: `${taskId(n)}-3119692762` })],
    ...overrides,
  };
}

/** resolve-targets' configuration with no routes, for a test to adjust. */
export function resolveConfig(overrides: Partial<ResolveConfig> = {}): ResolveConfig {
  return {
    allowedClusters: ['payments-prod'],
    defaultMaxTasks: 3,
    defaultScript: 'basic',
    routing: { version: 1, routes: [] },
    ...overrides,
  };
}

/** The clients resolve-targets takes (mock them with aws-sdk-client-mock's mockClient). */
export function resolveClients() {
  return { ecs: new ECSClient({}), cloudwatch: new CloudWatchClient({}) };
}
