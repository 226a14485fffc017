import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  ClusterNotFoundException,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { decide } from '#lib/triggers/normalise.ts';
import { container, task, taskArn, taskId } from './ecs-fakes.ts';

process.env.ALLOWED_CLUSTERS = 'payments-prod';
process.env.OUTPUT_BUCKET = 'diagnostics-bucket';
const { handler } = await import('../../../functions/resolve-targets/handler.ts');
const ecs = mockClient(ECSClient);
const s3 = mockClient(S3Client);
s3.on(PutObjectCommand).resolves({});
const cloudwatch = mockClient(CloudWatchClient);
const context = { functionName: 'resolve-targets', awsRequestId: 'req-1' } as Context;
const execution = {
  name: 'abcdef01-20250314T092741-cpu-high-0123456789',
  startTime: '2025-03-14T09:27:42.100Z',
};

/** The request start-run builds from a shared fixture. */
function requestFrom(fixtureName: string): unknown {
  const event = JSON.parse(readFileSync(join(process.cwd(), 'events', fixtureName), 'utf8'));
  const [decision] = decide(event, {
    alarmNamePrefix: '',
    allowedClusters: [],
    defaultScript: 'basic',
    routing: { version: 1, routes: [] },
    now: () => new Date(),
  });
  if (decision?.action !== 'start') throw new Error('fixture does not start a run');
  return decision.request;
}

/** DescribeTasks answers with the given tasks, whichever were asked for. */
function describeFrom(tasks: Task[]): void {
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: tasks.filter((t) =>
      input.tasks.some((asked) => t.taskArn === asked || t.taskArn?.endsWith(`/${asked}`)),
    ),
    failures: input.tasks
      .filter((asked) => !tasks.some((t) => t.taskArn === asked || t.taskArn?.endsWith(`/${asked}`)))
      .map((asked) => ({ arn: asked, reason: 'MISSING' })),
  }));
}

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  cloudwatch.on(ListTagsForResourceCommand).resolves({ Tags: [] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { containerDefinitions: [{ name: 'checkout', essential: true }] },
  });
});

describe('resolve-targets', () => {
  it('lists a service over every page, describes in batches of 100 and samples across zones', async () => {
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
    const tasks = Array.from({ length: 250 }, (_, i) => task(i + 1, { availabilityZone: zones[i % 3] }));
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: tasks.slice(0, 100).map((t) => t.taskArn ?? ''), nextToken: 't2' })
      .resolvesOnce({ taskArns: tasks.slice(100, 200).map((t) => t.taskArn ?? ''), nextToken: 't3' })
      .resolvesOnce({ taskArns: tasks.slice(200).map((t) => t.taskArn ?? '') });
    describeFrom(tasks);

    const result = await handler(
      { request: requestFrom('eventbridge-alarm-ecs-cpu-single-metric.json'), execution },
      context,
    );

    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 3);
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: 'payments-prod',
      serviceName: 'checkout-api',
      desiredStatus: 'RUNNING',
      nextToken: 't3',
    });
    const batches = ecs.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input.tasks?.length);
    expect(batches).toEqual([100, 100, 50]);
    expect(result.targets).toHaveLength(3);
    expect(new Set((result.targets ?? []).map((t) => t.az))).toEqual(new Set(zones));
    expect((result.targets ?? [])[0]).toEqual({
      cluster: 'payments-prod',
      service: 'checkout-api',
      taskArn: expect.stringMatching(
        /^arn:aws:ecs:us-east-1:493817260514:task\/payments-prod\/[0-9a-f]{32}$/,
      ),
      container: 'checkout',
      script: 'cpu', // the CPUUtilization alarm's default metric route
      az: expect.any(String),
      runtimeId: expect.stringMatching(/-3119692762$/),
    });
    // The task facts from the batched DescribeTasks go to targets.jsonl (not the inline state): nothing
    // describes the task again for the manifest.
    const stored = s3
      .commandCalls(PutObjectCommand)
      .find((call) => call.args[0].input.Key === result.targetsKey);
    const lines = String(stored?.args[0].input.Body).trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      ...(result.targets ?? [])[0],
      facts: {
        image: '493817260514.dkr.ecr.us-east-1.amazonaws.com/checkout:1',
        taskDefinition: 'checkout-api:42',
      },
    });
    expect(result.run).toEqual({
      executionName: execution.name,
      prefix: `runs/2025/03/14/${execution.name}/`,
      alarmName: 'payments-prod-checkout-api-cpu-high',
    });
    expect(result.maxConcurrency).toBe(5);
    expect(result.skipped).toEqual([]);
    // The 247 tasks sampling left out: counted, the first 50 listed, none of them also a target.
    expect(result.leftOutCount).toBe(247);
    expect(result.leftOut).toHaveLength(50);
    expect(result.leftOut?.[0]).toEqual({
      cluster: 'payments-prod',
      service: 'checkout-api',
      taskArn: expect.stringMatching(/task\/payments-prod\//),
      reason: expect.stringMatching(/^not sampled: 3 of 250 eligible tasks diagnosed/),
    });
    const chosen = new Set((result.targets ?? []).map((t) => t.taskArn));
    expect(result.leftOut?.some((left) => chosen.has(left.taskArn))).toBe(false);
  });

  it('honours maxTasks from the request', async () => {
    const tasks = Array.from({ length: 8 }, (_, i) => task(i + 1));
    ecs.on(ListTasksCommand).resolves({ taskArns: tasks.map((t) => t.taskArn ?? '') });
    describeFrom(tasks);

    const result = await handler(
      {
        request: { cluster: 'payments-prod', service: 'checkout-api', maxTasks: 5, maxConcurrency: 2 },
        execution,
      },
      context,
    );

    expect(result.targets).toHaveLength(5);
    expect(result.maxConcurrency).toBe(2);
    expect(result.leftOutCount).toBe(3);
  });

  it('describes explicit tasks and reports every preflight failure per task', async () => {
    const tasks = [
      task(1),
      task(2, { lastStatus: 'PENDING' }),
      task(3, { enableExecuteCommand: false }),
      task(4, { containers: [container('checkout', { agent: 'PENDING' })] }),
      task(5, { desiredStatus: 'STOPPED' }),
    ];
    describeFrom(tasks);

    const result = await handler(
      {
        request: {
          cluster: 'payments-prod',
          tasks: [1, 2, 3, 4, 5, 99].map(taskId),
        },
        execution,
      },
      context,
    );

    expect((result.targets ?? []).map((t) => t.taskArn)).toEqual([taskArn(1)]);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.taskArn, s.reason]));
    expect(reasons[taskArn(2)]).toBe('task is PENDING, not RUNNING');
    expect(reasons[taskArn(3)]).toMatch(
      /^ExecuteCommand is not enabled on this task; enable it \(start the task with --enable-execute-command\)/,
    );
    expect(reasons[taskArn(4)]).toMatch(/^ExecuteCommandAgent is PENDING, not RUNNING/);
    expect(reasons[taskArn(5)]).toBe('task is being stopped (desired status STOPPED)');
    expect(reasons[taskId(99)]).toBe('DescribeTasks: MISSING');
    expect(ecs).not.toHaveReceivedCommand(ListTasksCommand);
  });

  it('puts the task of a TaskId dimension first and uses the ContainerName dimension', async () => {
    const preferredN = 0x3f9c2a7e;
    const preferred = task(preferredN, {
      taskArn: 'arn:aws:ecs:us-east-1:493817260514:task/payments-prod/3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61',
      availabilityZone: 'us-east-1b',
    });
    const others = [task(1), task(2, { availabilityZone: 'us-east-1c' }), task(3)];
    ecs.on(ListTasksCommand).resolves({ taskArns: [...others, preferred].map((t) => t.taskArn ?? '') });
    describeFrom([...others, preferred]);

    const result = await handler(
      { request: requestFrom('eventbridge-alarm-enhanced-container-metric.json'), execution },
      context,
    );

    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: 'payments-prod',
      family: 'checkout-api',
    });
    expect((result.targets ?? []).map((t) => t.taskArn)).toEqual([preferred.taskArn, taskArn(1), taskArn(2)]);
    expect((result.targets ?? []).every((t) => t.container === 'checkout')).toBe(true);
    expect(ecs).not.toHaveReceivedCommand(DescribeTaskDefinitionCommand);
  });

  it('resolves a composite alarm through its children in ALARM', async () => {
    const childArn = (name: string) => `arn:aws:cloudwatch:us-east-1:493817260514:alarm:${name}`;
    cloudwatch
      .on(DescribeAlarmsCommand, {
        ChildrenOfAlarmName: 'payments-prod-checkout-api-degraded',
        NextToken: undefined,
      })
      .resolves({
        MetricAlarms: [
          {
            AlarmName: 'payments-prod-checkout-api-running-tasks-low',
            AlarmArn: childArn('payments-prod-checkout-api-running-tasks-low'),
            StateValue: 'OK',
          },
        ],
        NextToken: 'more',
      })
      .on(DescribeAlarmsCommand, {
        ChildrenOfAlarmName: 'payments-prod-checkout-api-degraded',
        NextToken: 'more',
      })
      .resolves({
        MetricAlarms: [
          {
            AlarmName: 'payments-prod-checkout-api-cpu-high',
            AlarmArn: childArn('payments-prod-checkout-api-cpu-high'),
            StateValue: 'ALARM',
          },
        ],
      })
      .on(DescribeAlarmsCommand, { AlarmNames: ['payments-prod-checkout-api-cpu-high'] })
      .resolves({
        MetricAlarms: [
          {
            AlarmName: 'payments-prod-checkout-api-cpu-high',
            StateValue: 'ALARM',
            Namespace: 'AWS/ECS',
            MetricName: 'CPUUtilization',
            Dimensions: [
              { Name: 'ClusterName', Value: 'payments-prod' },
              { Name: 'ServiceName', Value: 'checkout-api' },
            ],
          },
        ],
      });
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    describeFrom([task(1)]);

    const result = await handler(
      { request: requestFrom('eventbridge-alarm-composite.json'), execution },
      context,
    );

    const childQueries = cloudwatch
      .commandCalls(DescribeAlarmsCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.ChildrenOfAlarmName !== undefined);
    expect(childQueries).toEqual([
      { ChildrenOfAlarmName: 'payments-prod-checkout-api-degraded', MaxRecords: 100 },
      { ChildrenOfAlarmName: 'payments-prod-checkout-api-degraded', MaxRecords: 100, NextToken: 'more' },
    ]);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
      AlarmNames: ['payments-prod-checkout-api-cpu-high'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 1);
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, { serviceName: 'checkout-api' });
    expect(result.targets).toHaveLength(1);
    expect(result.run.alarmName).toBe('payments-prod-checkout-api-degraded');
  });

  it('resolves an alarm without ECS dimensions through its ecs-diagnostics tags, script included', async () => {
    cloudwatch.on(ListTagsForResourceCommand).resolves({
      Tags: [
        { Key: 'ecs-diagnostics:cluster', Value: 'payments-prod' },
        { Key: 'ecs-diagnostics:service', Value: 'checkout-api' },
        { Key: 'ecs-diagnostics:script', Value: 'jvm' },
        { Key: 'team', Value: 'payments' },
      ],
    });
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    describeFrom([task(1)]);
    const arn = 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:checkout-latency-p99';

    const result = await handler(
      {
        request: {
          source: { type: 'alarm', alarmName: 'checkout-latency-p99', alarmArn: arn },
          alarm: {
            name: 'checkout-latency-p99',
            arn,
            metrics: [{ dimensions: { LoadBalancer: 'app/x/1' } }],
          },
        },
        execution,
      },
      context,
    );

    expect(cloudwatch).toHaveReceivedCommandWith(ListTagsForResourceCommand, { ResourceARN: arn });
    expect(result.targets).toEqual([expect.objectContaining({ container: 'checkout', script: 'jvm' })]);
  });

  it('fails with InvalidRequestError naming cluster when nothing locates the alarm', async () => {
    await expect(
      handler({ request: { alarm: { name: 'orphan-alarm', metrics: [] } }, execution }, context),
    ).rejects.toMatchObject({
      name: 'InvalidRequestError',
      field: 'cluster',
      message: expect.stringContaining('no ECS cluster found for alarm "orphan-alarm"'),
    });
  });

  it('refuses clusters outside ALLOWED_CLUSTERS, even by ARN', async () => {
    await expect(
      handler(
        {
          request: { cluster: 'arn:aws:ecs:us-east-1:493817260514:cluster/orders-prod', service: 'api' },
          execution,
        },
        context,
      ),
    ).rejects.toMatchObject({ name: 'InvalidRequestError', field: 'cluster' });
    expect(ecs.calls()).toHaveLength(0);
  });

  it('validates the request and the execution, naming the field', async () => {
    await expect(
      handler({ request: { cluster: 'payments-prod', service: 'a b' }, execution }, context),
    ).rejects.toMatchObject({
      name: 'InvalidRequestError',
      field: 'service',
    });
    await expect(
      handler({ request: { cluster: 'payments-prod', service: 's' } }, context),
    ).rejects.toMatchObject({
      field: 'execution',
    });
  });

  it('passes ECS errors through by name', async () => {
    ecs
      .on(ListTasksCommand)
      .rejects(new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: {} }));

    await expect(
      handler({ request: { cluster: 'payments-prod', service: 'checkout-api' }, execution }, context),
    ).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('reports a service with no running tasks as a skipped entry', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });

    const result = await handler(
      { request: { cluster: 'payments-prod', service: 'checkout-api' }, execution },
      context,
    );

    expect(result.targets).toEqual([]);
    expect(result.skipped).toEqual([
      { cluster: 'payments-prod', reason: 'no RUNNING tasks found for service checkout-api (from request)' },
    ]);
  });
});

describe('resolve-targets limits', () => {
  it('keeps at most 1000 targets, stores them in S3 and keeps the state small', async () => {
    const many = Array.from({ length: 50 }, (_, i) => `c${i}`);
    const tasks = Array.from({ length: 25 }, (_, i) =>
      task(i + 1, { containers: many.map((name) => container(name)) }),
    );
    describeFrom(tasks);
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [] } });

    const result = await handler(
      {
        request: { cluster: 'payments-prod', tasks: Array.from({ length: 25 }, (_, i) => taskId(i + 1)) },
        execution,
      },
      context,
    );

    expect(result.mode).toBe('distributed');
    expect(result.targetCount).toBe(1000);
    expect(result.targets).toBeUndefined();
    expect(result.skipped).toEqual([
      {
        cluster: 'payments-prod',
        reason: '250 more containers left out: a run diagnoses at most 1000 (maxTasks applies per service)',
      },
    ]);
    const put = s3
      .commandCalls(PutObjectCommand)
      .find((call) => call.args[0].input.Key === result.targetsKey);
    const lines = String(put?.args[0].input.Body).trim().split('\n');
    expect(lines).toHaveLength(1000);
    expect(JSON.parse(lines[999] ?? '')).toMatchObject({ container: 'c49', script: 'basic' });
    expect(JSON.stringify(result).length).toBeLessThan(4 * 1024);
  });
});

describe('resolve-targets cluster-level alarms', () => {
  it('takes the service of a ClusterName-only alarm from its ecs-diagnostics:service tag', async () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:cluster-cpu';
    cloudwatch
      .on(ListTagsForResourceCommand)
      .resolves({ Tags: [{ Key: 'ecs-diagnostics:service', Value: 'checkout-api' }] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    describeFrom([task(1)]);

    const result = await handler(
      {
        request: {
          alarm: { name: 'cluster-cpu', arn, metrics: [{ dimensions: { ClusterName: 'payments-prod' } }] },
          source: { type: 'alarm', alarmName: 'cluster-cpu', alarmArn: arn },
        },
        execution,
      },
      context,
    );

    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: 'payments-prod',
      serviceName: 'checkout-api',
    });
    expect(result.targets).toHaveLength(1);
  });

  it('says what to add when a ClusterName-only alarm has nothing naming a service', async () => {
    await expect(
      handler(
        {
          request: {
            alarm: { name: 'cluster-cpu', metrics: [{ dimensions: { ClusterName: 'payments-prod' } }] },
          },
          execution,
        },
        context,
      ),
    ).rejects.toMatchObject({
      name: 'InvalidRequestError',
      field: 'service',
      message: expect.stringContaining('add a ServiceName dimension, an ecs-diagnostics:service tag'),
    });
  });
});

describe('resolve-targets service ARNs', () => {
  it('lists tasks by the service name when the request gives the service ARN', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    describeFrom([task(1)]);

    await handler(
      {
        request: {
          cluster: 'arn:aws:ecs:us-east-1:493817260514:cluster/payments-prod',
          service: 'arn:aws:ecs:us-east-1:493817260514:service/payments-prod/checkout-api',
        },
        execution,
      },
      context,
    );

    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, { serviceName: 'checkout-api' });
  });
});
