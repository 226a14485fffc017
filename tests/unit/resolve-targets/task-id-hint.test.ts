import { CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseRequest } from '#lib/request.ts';
import { resolveTargets } from '#lib/targets/resolve.ts';
import { resolveClients, resolveConfig, task, taskArn } from './ecs-fakes.ts';

const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);
const clients = resolveClients();
const config = resolveConfig();
const run = { executionName: 'abcdef01-20250314T092741-cpu-high-0123456789', startTime: new Date() };

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
  cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { containerDefinitions: [{ name: 'checkout', essential: true }] },
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1), taskArn(2)] });
  // Like ECS: an identifier that is no task id fails the whole DescribeTasks call.
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => {
    if (input.tasks.some((id) => !/^(arn:.*\/)?[a-f0-9]{32}$/.test(id))) {
      throw new InvalidParameterException({ message: 'Task Identifier is invalid', $metadata: {} });
    }
    return { tasks: [task(1), task(2)], failures: [] };
  });
});

describe('resolve-targets: a TaskId dimension that is no task id', () => {
  it('diagnoses the service and reports the unusable hint instead of failing the run', async () => {
    const request = parseRequest({
      cluster: 'payments-prod',
      service: 'checkout-api',
      alarm: {
        name: 'custom-metric-alarm',
        metrics: [
          {
            dimensions: {
              ClusterName: 'payments-prod',
              ServiceName: 'checkout-api',
              TaskId: 'web-1; rm -rf /',
            },
          },
        ],
      },
    });

    const resolved = await resolveTargets(request, run, clients, config);

    expect(resolved.targets.map((target) => target.taskArn)).toEqual([taskArn(1), taskArn(2)]);
    expect(resolved.skipped).toContainEqual({
      cluster: 'payments-prod',
      reason: 'the TaskId dimension "web-1; rm -rf /" is not an ECS task id; ignored',
    });
  });
});
