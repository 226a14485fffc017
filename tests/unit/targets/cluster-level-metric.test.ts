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
import { resolveTargets } from '#lib/targets/resolve.ts';
import { resolveClients, resolveConfig, task, taskArn } from '../resolve-targets/ecs-fakes.ts';

const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);
const clients = resolveClients();
const run = { executionName: 'n', startTime: new Date('2025-03-14T10:00:00Z') };
const config = resolveConfig({ allowedClusters: [] });

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
  cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [] } });
});

describe('targets: a metric-math alarm mixing a cluster-level and a service-level metric', () => {
  it('diagnoses the service instead of failing on the cluster-level metric, which names no service', async () => {
    ecs.on(ListTasksCommand, { serviceName: 'checkout-api' }).resolves({ taskArns: [taskArn(1)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1)] });
    const request = parseRequest({
      alarm: {
        name: 'checkout-share-of-cluster-cpu',
        metrics: [
          {
            id: 'svc',
            namespace: 'AWS/ECS',
            dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api' },
          },
          { id: 'all', namespace: 'AWS/ECS', dimensions: { ClusterName: 'payments-prod' } },
        ],
      },
    });

    const result = await resolveTargets(request, run, clients, config);

    expect(result.targets.map((target) => target.taskArn)).toEqual([taskArn(1)]);
  });
});
