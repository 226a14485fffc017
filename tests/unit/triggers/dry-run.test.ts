import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { task, taskArn } from '../resolve-targets/ecs-fakes.ts';
import { dryRun } from './run-dry-run.ts';

const ecs = mockClient(ECSClient);
const cloudwatch = mockClient(CloudWatchClient);

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
  delete process.env.ALLOWED_CLUSTERS;
  delete process.env.ALARM_NAME_PREFIX;
});

describe('dry-run', () => {
  it('prints the request and execution name start-run would use (exit 0)', async () => {
    const { code, output } = await dryRun(['--event', 'events/sns-alarm-single-metric-ecs-cpu.json']);

    expect(code).toBe(0);
    expect(output.runs).toEqual([
      expect.objectContaining({
        action: 'start',
        executionName: expect.stringMatching(
          /^[0-9a-f]{8}-20250314T092741-payments-prod-checkout-api-cpu-high-/,
        ),
        request: expect.objectContaining({ cluster: 'payments-prod', service: 'checkout-api' }),
        routedBy: 'dimensions',
      }),
    ]);
    expect(ecs.calls()).toHaveLength(0);
  });

  it('prints the reason an event is ignored (exit 2)', async () => {
    const { code, output } = await dryRun(['--event', 'events/eventbridge-alarm-back-to-ok.json']);

    expect(code).toBe(3);
    expect(output.runs).toEqual([
      expect.objectContaining({ action: 'ignore', reason: expect.stringContaining('OK') }),
    ]);
  });

  it('applies the allow-list given on the command line (exit 2)', async () => {
    const { code, output } = await dryRun([
      '--event',
      'events/eventbridge-alarm-metric-math.json',
      '--allowed-clusters',
      'orders-prod',
    ]);

    expect(code).toBe(3);
    expect(output.runs).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('TargetClusterNames') }),
    ]);
  });

  it('prints a rejected event with the field (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ecsdiag-dry-run-'));
    const file = join(dir, 'empty-scheduled-event.json');
    const event = JSON.parse(readFileSync('events/eventbridge-scheduled-event.json', 'utf8'));
    writeFileSync(file, JSON.stringify({ ...event, detail: {} }));

    const { code, output } = await dryRun(['--event', file]);
    rmSync(dir, { recursive: true, force: true });

    expect(code).toBe(1);
    expect(output).toEqual({
      error: expect.objectContaining({ name: 'InvalidRequestError', field: 'detail' }),
    });
  });

  it('with --resolve, adds the targets resolve-targets would choose', async () => {
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1), taskArn(2)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1), task(2, { availabilityZone: 'us-east-1b' })] });
    ecs
      .on(DescribeTaskDefinitionCommand)
      .resolves({ taskDefinition: { containerDefinitions: [{ name: 'checkout' }] } });

    const { code, output } = await dryRun([
      '--event',
      'events/eventbridge-alarm-ecs-cpu-single-metric.json',
      '--resolve',
    ]);

    expect(code).toBe(0);
    const [entry] = output.runs as { resolved: { targets: { taskArn: string; container: string }[] } }[];
    expect(entry?.resolved.targets.map((t) => [t.taskArn, t.container])).toEqual([
      [taskArn(1), 'checkout'],
      [taskArn(2), 'checkout'],
    ]);
  });

  it('with --resolve, reports a resolution failure (exit 1)', async () => {
    cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
    ecs
      .on(ListTasksCommand)
      .rejects(Object.assign(new Error('Cluster not found.'), { name: 'ClusterNotFoundException' }));

    const { code, output } = await dryRun(['--event', 'events/lambda-alarm-action-metric.json', '--resolve']);

    expect(code).toBe(1);
    expect(output.runs).toEqual([
      expect.objectContaining({
        resolveError: { name: 'ClusterNotFoundException', message: 'Cluster not found.' },
      }),
    ]);
  });
});
