import { CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  ServiceNotFoundException,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
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
  ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1)], failures: [] });
  ecs.on(ListTasksCommand).callsFake((input: { serviceName?: string }) => {
    if (input.serviceName === 'checkout-api') return { taskArns: [taskArn(1)] };
    throw new ServiceNotFoundException({ message: 'Service not found.', $metadata: {} });
  });
});

/** A metric-math alarm over three locations: one good, one with a bad ClusterName, one whose service is gone. */
function threeLocationAlarm(good = true) {
  return parseRequest({
    alarm: {
      name: 'fleet-cpu-high',
      metrics: [
        ...(good ? [{ dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api' } }] : []),
        { dimensions: { ClusterName: 'payments prod;$(reboot)', ServiceName: 'checkout-api' } },
        { dimensions: { ClusterName: 'payments-prod', ServiceName: 'deleted-service' } },
      ],
    },
  });
}

describe('resolve-targets: one bad location of a multi-metric alarm', () => {
  it('skips the location with a bad ClusterName and the one whose service is missing, and resolves the rest', async () => {
    const resolved = await resolveTargets(threeLocationAlarm(), run, clients, config);

    expect(resolved.targets.map((target) => target.taskArn)).toEqual([taskArn(1)]);
    expect(resolved.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          reason: expect.stringMatching(/^location skipped .*InvalidRequestError: cluster/),
        }),
        expect.objectContaining({
          cluster: 'payments-prod',
          reason: expect.stringMatching(/location skipped .*"deleted-service".*ServiceNotFoundException/),
        }),
      ]),
    );
  });

  it('still fails when every location fails, with the first location error', async () => {
    await expect(resolveTargets(threeLocationAlarm(false), run, clients, config)).rejects.toMatchObject({
      name: 'InvalidRequestError',
    });
  });

  it('does not swallow a transient error of one location (the state retries it)', async () => {
    ecs.on(ListTasksCommand).callsFake((input: { serviceName?: string }) => {
      if (input.serviceName === 'checkout-api') return { taskArns: [taskArn(1)] };
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });

    await expect(resolveTargets(threeLocationAlarm(), run, clients, config)).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
  });
});
