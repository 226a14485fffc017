import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { propagatedTags } from '#lib/triggers/alarm-event.ts';
import { decide } from '#lib/triggers/normalise.ts';
import { task, taskArn } from './ecs-fakes.ts';

process.env.ALLOWED_CLUSTERS = 'payments-prod';
process.env.OUTPUT_BUCKET = 'diagnostics-bucket';
const { handler } = await import('../../../functions/resolve-targets/handler.ts');
const ecs = mockClient(ECSClient);
const s3 = mockClient(S3Client);
const cloudwatch = mockClient(CloudWatchClient);
const context = { functionName: 'resolve-targets', awsRequestId: 'req-1' } as Context;
const execution = {
  name: 'abcdef01-20250314T092741-degraded-0123456789',
  startTime: '2025-03-14T09:27:42.100Z',
};
const ARN = 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:checkout-latency-p99';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(process.cwd(), 'events', name), 'utf8')) as Record<string, unknown>;
}

/** The request start-run builds from an event. */
function requestOf(event: unknown): { alarm?: { tags?: unknown } } {
  const [decision] = decide(event, {
    alarmNamePrefix: '',
    allowedClusters: [],
    defaultScript: 'basic',
    routing: { version: 1, routes: [] },
    now: () => new Date(),
  });
  if (decision?.action !== 'start') throw new Error('the event does not start a run');
  return decision.request;
}

/** An EventBridge alarm event without ECS dimensions, with the given tag fields in its detail. */
function latencyEvent(tagFields: Record<string, unknown>): Record<string, unknown> {
  const event = fixture('eventbridge-alarm-ecs-cpu-single-metric.json');
  const detail = event.detail as Record<string, unknown>;
  return {
    ...event,
    resources: [ARN],
    detail: {
      ...detail,
      alarmName: 'checkout-latency-p99',
      configuration: {
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: {
                namespace: 'AWS/ApplicationELB',
                name: 'TargetResponseTime',
                dimensions: { LoadBalancer: 'app/x/1' },
              },
              period: 60,
              stat: 'p99',
            },
            returnData: true,
          },
        ],
      },
      ...tagFields,
    },
  };
}

beforeEach(() => {
  ecs.reset();
  cloudwatch.reset();
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: { containerDefinitions: [{ name: 'checkout', essential: true }] },
  });
  ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
  ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1)], failures: [] });
  // What ListTagsForResource would say if it were asked: another script, so a test sees which was used.
  cloudwatch.on(ListTagsForResourceCommand).resolves({
    Tags: [
      { Key: 'ecs-diagnostics:cluster', Value: 'payments-prod' },
      { Key: 'ecs-diagnostics:service', Value: 'checkout-api' },
      { Key: 'ecs-diagnostics:script', Value: 'basic' },
    ],
  });
});

describe('resolve-targets with the alarm tags the event carried', () => {
  it('routes through the event’s alarmTags and never calls ListTagsForResource', async () => {
    const request = requestOf(
      latencyEvent({
        alarmTags: {
          'ecs-diagnostics:cluster': 'payments-prod',
          'ecs-diagnostics:service': 'checkout-api',
          'ecs-diagnostics:script': 'jvm',
          team: 'payments',
        },
        alarmTagsStatus: 'SUCCESS',
      }),
    );

    const result = await handler({ request, execution }, context);

    expect(request.alarm?.tags).toEqual({ cluster: 'payments-prod', service: 'checkout-api', script: 'jvm' });
    expect(cloudwatch).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0);
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: 'payments-prod',
      serviceName: 'checkout-api',
    });
    expect(result.targets).toEqual([expect.objectContaining({ container: 'checkout', script: 'jvm' })]);
  });

  it('takes SUCCESS without alarmTags as an alarm with no tags (no call, nothing to route by)', async () => {
    const request = requestOf(latencyEvent({ alarmTagsStatus: 'SUCCESS' }));

    await expect(handler({ request, execution }, context)).rejects.toMatchObject({
      name: 'InvalidRequestError',
    });
    expect(request.alarm?.tags).toEqual({});
    expect(cloudwatch).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0);
  });

  it.each([
    ['another status', { alarmTags: { 'ecs-diagnostics:script': 'jvm' }, alarmTagsStatus: 'FAILED' }],
    ['no status (tag propagation off)', {}],
    [
      'a value that is no tag value',
      { alarmTags: { 'ecs-diagnostics:script': 7 }, alarmTagsStatus: 'SUCCESS' },
    ],
    ['alarmTags that are no object', { alarmTags: ['ecs-diagnostics:script'], alarmTagsStatus: 'SUCCESS' }],
  ])('asks ListTagsForResource when the event has %s', async (_what, tagFields) => {
    const request = requestOf(latencyEvent(tagFields));

    const result = await handler({ request, execution }, context);

    expect(request.alarm?.tags).toBeUndefined();
    expect(cloudwatch).toHaveReceivedCommandWith(ListTagsForResourceCommand, { ResourceARN: ARN });
    expect(result.targets).toEqual([expect.objectContaining({ script: 'basic' })]);
  });

  it('keeps only the ecs-diagnostics keys it knows', () => {
    expect(
      propagatedTags({
        alarmTagsStatus: 'SUCCESS',
        alarmTags: { 'ecs-diagnostics:container': 'app', 'ecs-diagnostics:owner': 'x', environment: 'prod' },
      }),
    ).toEqual({ container: 'app' });
  });

  it('resolves the shipped composite fixture with its carried tags, without ListTagsForResource', async () => {
    cloudwatch
      .on(DescribeAlarmsCommand, { ChildrenOfAlarmName: 'payments-prod-checkout-api-degraded' })
      .resolves({ MetricAlarms: [{ AlarmName: 'payments-prod-checkout-api-cpu-high', StateValue: 'ALARM' }] })
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
    const request = requestOf(fixture('eventbridge-alarm-composite-tags.json'));

    const result = await handler({ request, execution }, context);

    expect(request.alarm?.tags).toEqual({
      cluster: 'payments-prod',
      service: 'checkout-api',
      script: 'basic',
    });
    expect(cloudwatch).toHaveReceivedCommandTimes(ListTagsForResourceCommand, 0);
    expect(result.targets).toEqual([expect.objectContaining({ container: 'checkout', script: 'basic' })]);
  });
});
