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
import { resolveClients, resolveConfig, task, taskArn, taskId } from './ecs-fakes.ts';

const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);
const clients = resolveClients();
const config = resolveConfig();
const run = { executionName: 'abcdef01-20250314T092741-mem-high-0123456789', startTime: new Date() };
const ESCAPE = '\u001b[2J\u001b[31mFAKE: all good\n';

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
  cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { containerDefinitions: [{ name: 'checkout', essential: true }] },
  });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1), task(2)], failures: [] });
});

/** A metric-math alarm over two services, so the dimensions reach resolve-targets unvalidated. */
function twoServiceAlarm(extra: Record<string, string>) {
  return parseRequest({
    alarm: {
      name: 'custom-metric-alarm',
      metrics: [
        { dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api', ...extra } },
        { dimensions: { ClusterName: 'payments-prod', ServiceName: 'ledger' } },
      ],
    },
  });
}

describe('resolve-targets: ContainerName and TaskDefinitionFamily dimensions that are no ECS names', () => {
  it('drops a ContainerName that cannot be a container, with a skipped entry, and chooses containers itself', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1), taskArn(2)] });

    const resolved = await resolveTargets(twoServiceAlarm({ ContainerName: ESCAPE }), run, clients, config);

    expect(resolved.targets.length).toBeGreaterThan(0);
    expect(resolved.targets.every((target) => target.container === 'checkout')).toBe(true);
    expect(JSON.stringify(resolved)).not.toContain('\u001b');
    expect(resolved.skipped).toContainEqual({
      cluster: 'payments-prod',
      reason: expect.stringMatching(
        /^the ContainerName dimension ".*" is not an ECS container name; ignored$/,
      ),
    });
  });

  it('does not pass a TaskDefinitionFamily that cannot be a family to ListTasks', async () => {
    ecs.on(ListTasksCommand).callsFake((input: { family?: string }) => {
      if (input.family !== undefined && !/^[A-Za-z0-9_-]+$/.test(input.family)) {
        throw new InvalidParameterException({ message: 'Family is invalid', $metadata: {} });
      }
      return { taskArns: [taskArn(1)] };
    });
    const request = parseRequest({
      cluster: 'payments-prod',
      alarm: {
        name: 'family-alarm',
        metrics: [
          {
            dimensions: { ClusterName: 'payments-prod', TaskDefinitionFamily: 'x:y/z', TaskId: taskId(1) },
          },
        ],
      },
    });

    const resolved = await resolveTargets(request, run, clients, config);

    expect(resolved.targets.map((target) => target.taskArn)).toContain(taskArn(1));
    expect(resolved.skipped).toContainEqual({
      cluster: 'payments-prod',
      reason: 'the TaskDefinitionFamily dimension "x:y/z" is not an ECS task definition family; ignored',
    });
  });
});
