/** ECS, IAM and EC2 shapes for the readiness tests, and the mocked clients (aws-sdk-client-mock). */
import { EC2Client } from '@aws-sdk/client-ec2';
import { type Cluster, ECSClient, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import { type EvaluationResult, IAMClient } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import type { ReadinessCheck } from '#lib/readiness/index.ts';

export const ACCOUNT = '493817260514';
export const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/ledger-prod`;
export const TASK_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/ledger-prod/0123456789abcdef0123456789abcdef`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ledger-task`;
export const DEFINITION_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/ledger:3`;

export function fargateTask(overrides: Partial<Task> = {}): Task {
  return {
    taskArn: TASK_ARN,
    clusterArn: CLUSTER_ARN,
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    enableExecuteCommand: true,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    group: 'service:ledger-worker',
    taskDefinitionArn: DEFINITION_ARN,
    attachments: [
      {
        type: 'ElasticNetworkInterface',
        status: 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-0a1' },
          { name: 'networkInterfaceId', value: 'eni-0a1' },
        ],
      },
    ],
    containers: [
      {
        name: 'ledger',
        lastStatus: 'RUNNING',
        managedAgents: [{ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' }],
      },
    ],
    ...overrides,
  };
}

export function definition(overrides: Partial<TaskDefinition> = {}, container: object = {}): TaskDefinition {
  return {
    taskDefinitionArn: DEFINITION_ARN,
    taskRoleArn: ROLE_ARN,
    containerDefinitions: [
      {
        name: 'ledger',
        image: 'ledger:1',
        essential: true,
        linuxParameters: { initProcessEnabled: true },
        ...container,
      },
    ],
    ...overrides,
  };
}

export function cluster(
  config?: NonNullable<Cluster['configuration']>['executeCommandConfiguration'],
): Cluster {
  return {
    clusterArn: CLUSTER_ARN,
    clusterName: 'ledger-prod',
    ...(config !== undefined ? { configuration: { executeCommandConfiguration: config } } : {}),
  };
}

/** SimulatePrincipalPolicy results: every action allowed except `denied`. */
export function evaluations(actions: string[], denied: string[] = []): EvaluationResult[] {
  return actions.map((action) => ({
    EvalActionName: action,
    EvalResourceName: '*',
    EvalDecision: denied.includes(action) ? 'implicitDeny' : 'allowed',
  }));
}

/** An error as the SDK throws it for a service error of that name. */
export function awsError(name: string, message = `${name} (test)`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export const mocks = {
  ecs: mockClient(ECSClient),
  iam: mockClient(IAMClient),
  ec2: mockClient(EC2Client),
};

export const clients = { ecs: new ECSClient({}), iam: new IAMClient({}), ec2: new EC2Client({}) };

/** The finding with that id (the test fails clearly when there is none). */
export function finding(checks: ReadinessCheck[], id: string): ReadinessCheck {
  const found = checks.find((check) => check.id === id);
  if (found === undefined) throw new Error(`no finding ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
}
