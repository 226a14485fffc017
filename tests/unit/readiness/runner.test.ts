import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
} from '@aws-sdk/client-ecs';
import { SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { boundChecks, CHECK_TITLES, runReadinessChecks } from '#lib/readiness/index.ts';
import {
  awsError,
  CLUSTER_ARN,
  clients,
  cluster,
  definition,
  evaluations,
  fargateTask,
  finding,
  mocks,
  TASK_ARN,
} from './fixtures.ts';

beforeEach(() => {
  mocks.ecs.reset();
  mocks.iam.reset();
  mocks.ec2.reset();
  mocks.ecs.on(DescribeTasksCommand).resolves({ tasks: [fargateTask()] });
  mocks.ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: definition() });
  mocks.ecs
    .on(DescribeClustersCommand)
    .resolves({ clusters: [cluster({ kmsKeyId: 'key-1', logging: 'DEFAULT' })] });
  mocks.iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
    EvaluationResults: evaluations(input.ActionNames),
  }));
  mocks.ec2
    .on(DescribeNetworkInterfacesCommand)
    .resolves({ NetworkInterfaces: [{ VpcId: 'vpc-1', SubnetId: 'subnet-0a1' }] });
  mocks.ec2.on(DescribeVpcEndpointsCommand).resolves({
    VpcEndpoints: [
      {
        VpcEndpointId: 'vpce-1',
        ServiceName: 'com.amazonaws.us-east-1.ssmmessages',
        State: 'available' as never,
      },
    ],
  });
});

const principalArn = 'arn:aws:iam::493817260514:role/stack-run-diagnostic';

describe('runReadinessChecks', () => {
  it('runs every family and passes a ready task, with the exec key as an ARN', async () => {
    const checks = await runReadinessChecks(clients, {
      cluster: 'ledger-prod',
      task: TASK_ARN,
      principalArn,
    });

    expect(checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(new Set(checks.map((check) => check.id))).toEqual(
      new Set(Object.keys(CHECK_TITLES).filter((id) => id !== 'cluster.exec-logging')),
    );
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeClustersCommand, { include: ['CONFIGURATIONS'] });
    expect(mocks.iam).toHaveReceivedCommandWith(SimulatePrincipalPolicyCommand, {
      ActionNames: ['kms:Decrypt'],
      ResourceArns: ['arn:aws:kms:us-east-1:493817260514:key/key-1'],
    });
  });

  it('reads the container instance agent version for an EC2 task', async () => {
    const instance = 'arn:aws:ecs:us-east-1:493817260514:container-instance/ledger-prod/abc';
    mocks.ecs.on(DescribeTasksCommand).resolves({
      tasks: [fargateTask({ launchType: 'EC2', platformVersion: undefined, containerInstanceArn: instance })],
    });
    mocks.ecs
      .on(DescribeContainerInstancesCommand)
      .resolves({ containerInstances: [{ versionInfo: { agentVersion: '1.49.0' } }] });

    const checks = await runReadinessChecks(clients, { cluster: 'ledger-prod', task: TASK_ARN });

    expect(finding(checks, 'task.platform')).toMatchObject({ status: 'fail' });
    expect(mocks.ecs).toHaveReceivedCommandWith(DescribeContainerInstancesCommand, {
      cluster: CLUSTER_ARN,
      containerInstances: [instance],
    });
  });

  it('turns every denied call into "not checked" with the permission it needs, and never throws', async () => {
    mocks.ecs.on(DescribeClustersCommand).rejects(awsError('AccessDeniedException'));
    mocks.iam.on(SimulatePrincipalPolicyCommand).rejects(awsError('AccessDenied'));
    mocks.ec2.on(DescribeNetworkInterfacesCommand).rejects(awsError('UnauthorizedOperation'));

    const checks = await runReadinessChecks(clients, {
      cluster: 'ledger-prod',
      task: TASK_ARN,
      principalArn,
    });

    const needs = Object.fromEntries(
      checks
        .filter((check) => check.status === 'not-checked')
        .map((check) => [check.id, /needs `([^`]+)`/.exec(check.evidence ?? '')?.[1]]),
    );
    expect(needs).toEqual({
      'cluster.exec-config': 'ecs:DescribeClusters',
      'role.exists': 'iam:SimulatePrincipalPolicy',
      'role.ssmmessages': 'iam:SimulatePrincipalPolicy',
      'network.ssmmessages-endpoint': 'ec2:DescribeNetworkInterfaces',
      'network.route': 'ec2:DescribeNetworkInterfaces',
      'caller.execute-command': 'iam:SimulatePrincipalPolicy',
    });
    expect(checks.some((check) => check.status === 'fail')).toBe(false);
  });

  it('reports a task it cannot read as not checked, and a stopped one as failed', async () => {
    mocks.ecs.on(DescribeTasksCommand).rejects(awsError('AccessDeniedException'));
    expect(await runReadinessChecks(clients, { cluster: 'ledger-prod', task: TASK_ARN })).toEqual([
      expect.objectContaining({ id: 'task.running', status: 'not-checked' }),
    ]);

    mocks.ecs
      .on(DescribeTasksCommand)
      .resolves({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] });
    expect(await runReadinessChecks(clients, { cluster: 'ledger-prod', task: TASK_ARN })).toEqual([
      expect.objectContaining({ id: 'task.running', status: 'fail' }),
    ]);
    expect(mocks.ec2).not.toHaveReceivedCommand(DescribeSubnetsCommand);
  });
});

describe('boundChecks', () => {
  it('keeps ids, titles and statuses and fits the budget', () => {
    const long = Array.from({ length: 16 }, (_, index) => ({
      id: `x.${index}`,
      title: 'a check',
      status: index % 2 === 0 ? ('pass' as const) : ('fail' as const),
      evidence: 'e'.repeat(400),
      fix: 'f'.repeat(400),
    }));

    const bounded = boundChecks(long, 4096);

    expect(Buffer.byteLength(JSON.stringify(bounded))).toBeLessThanOrEqual(4096);
    expect(bounded.map((check) => [check.id, check.status])).toEqual(
      long.map((check) => [check.id, check.status]),
    );
    expect(mocks.ec2).not.toHaveReceivedCommand(DescribeRouteTablesCommand);
  });
});
