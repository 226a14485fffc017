import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  InvalidNextToken,
  InvalidParameterValueException,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CloudWatchEmulator, startCloudWatchEmulator } from '#local/cloudwatch-emulator/index.ts';
import { loadWorld } from '#local/world.ts';

const CPU = 'payments-prod-checkout-api-cpu-high';
const COMPOSITE = 'payments-prod-checkout-api-degraded';
/**
 * The common validation error (no operation here models it), as the SDK sees it: named by its JSON type, with the
 * awsQuery code in `Code` (what query-compatible SDKs such as boto3 report).
 */
const VALIDATION_ERROR = {
  name: 'ValidationException',
  Code: 'ValidationError',
  $fault: 'client',
  $metadata: expect.objectContaining({ httpStatusCode: 400 }),
};

describe('cloudwatch-emulator', () => {
  let emulator: CloudWatchEmulator;
  let cloudwatch: CloudWatchClient;

  beforeAll(async () => {
    emulator = await startCloudWatchEmulator({ world: loadWorld() });
    cloudwatch = new CloudWatchClient({ endpoint: emulator.endpoint, region: 'us-east-1', maxAttempts: 1 });
  });

  afterAll(async () => {
    cloudwatch.destroy();
    await emulator.close();
  });

  it('describes a metric alarm by name with its dimensions', async () => {
    const result = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [CPU] }));

    expect(result.CompositeAlarms).toEqual([]);
    expect(result.MetricAlarms?.[0]).toMatchObject({
      AlarmName: CPU,
      AlarmArn: `arn:aws:cloudwatch:us-east-1:493817260514:alarm:${CPU}`,
      Namespace: 'AWS/ECS',
      Dimensions: [
        { Name: 'ClusterName', Value: 'payments-prod' },
        { Name: 'ServiceName', Value: 'checkout-api' },
      ],
      StateValue: 'ALARM',
    });
    expect(result.MetricAlarms?.[0]?.StateUpdatedTimestamp).toBeInstanceOf(Date);
  });

  it('returns composite alarms only when asked for, and their children and parents in brief', async () => {
    const composite = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [COMPOSITE], AlarmTypes: ['CompositeAlarm'] }),
    );
    const children = await cloudwatch.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: COMPOSITE }));
    const parents = await cloudwatch.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: CPU }));

    expect(composite.CompositeAlarms?.[0]?.AlarmRule).toContain(CPU);
    expect(children.MetricAlarms?.map((alarm) => alarm.AlarmName).sort()).toEqual([
      CPU,
      'payments-prod-checkout-api-running-tasks-low',
    ]);
    expect(parents.CompositeAlarms?.map((alarm) => alarm.AlarmName)).toEqual([COMPOSITE]);
    expect(Object.keys(children.MetricAlarms?.[0] ?? {}).sort()).toEqual([
      'AlarmArn',
      'AlarmName',
      'StateUpdatedTimestamp',
      'StateValue',
    ]);
  });

  it('refuses other parameters next to ChildrenOfAlarmName with a validation error, as documented', async () => {
    await expect(
      cloudwatch.send(
        new DescribeAlarmsCommand({ ChildrenOfAlarmName: COMPOSITE, AlarmTypes: ['MetricAlarm'] }),
      ),
    ).rejects.toMatchObject(VALIDATION_ERROR);
  });

  it('answers DescribeAlarms only with its modeled InvalidNextToken or the common ValidationError, as AWS does', async () => {
    await expect(cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 101 }))).rejects.toMatchObject(
      VALIDATION_ERROR,
    );
    await expect(
      cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: Array.from({ length: 101 }, (_, i) => `alarm-${i}`) }),
      ),
    ).rejects.toMatchObject(VALIDATION_ERROR);
    await expect(
      cloudwatch.send(new DescribeAlarmsCommand({ NextToken: 'not-a-token' })),
    ).rejects.toBeInstanceOf(InvalidNextToken);
  });

  it('pages with MaxRecords and NextToken', async () => {
    const first = await cloudwatch.send(new DescribeAlarmsCommand({ MaxRecords: 3 }));
    const second = await cloudwatch.send(
      new DescribeAlarmsCommand({ MaxRecords: 3, NextToken: first.NextToken }),
    );

    expect(first.MetricAlarms).toHaveLength(3);
    expect(second.MetricAlarms).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    const names = [...(first.MetricAlarms ?? []), ...(second.MetricAlarms ?? [])].map(
      (alarm) => alarm.AlarmName,
    );
    expect(new Set(names).size).toBe(4);
  });

  it("lists an alarm's tags and maps unknown ARNs and bad combinations to CloudWatch exceptions", async () => {
    const tags = await cloudwatch.send(
      new ListTagsForResourceCommand({
        ResourceARN: `arn:aws:cloudwatch:us-east-1:493817260514:alarm:${COMPOSITE}`,
      }),
    );

    expect(tags.Tags).toContainEqual({ Key: 'ecs-diagnostics:service', Value: 'checkout-api' });
    await expect(
      cloudwatch.send(
        new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:x' }),
      ),
    ).rejects.toMatchObject({
      constructor: ResourceNotFoundException,
      $metadata: expect.objectContaining({ httpStatusCode: 404 }),
    });
    await expect(
      cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [CPU], AlarmNamePrefix: 'p' })),
    ).rejects.toMatchObject(VALIDATION_ERROR);
    await expect(
      cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: 'payments-prod-cpu' })),
    ).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: undefined as never })),
    ).rejects.toMatchObject(VALIDATION_ERROR);
  });

  it('sends errors query-compatible, with the awsQuery code in x-amzn-query-error', async () => {
    const call = (target: string, body: unknown) =>
      fetch(emulator.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `GraniteServiceVersion20100801.${target}`,
        },
        body: JSON.stringify(body),
      });

    const notFound = await call('ListTagsForResource', {
      ResourceARN: 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:x',
    });
    const badValue = await call('DescribeAlarms', { MaxRecords: 1000 });
    const badArn = await call('ListTagsForResource', { ResourceARN: 'not-an-arn' });

    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-amzn-query-error')).toBe('ResourceNotFoundException;Sender');
    expect(badValue.status).toBe(400);
    expect(badValue.headers.get('x-amzn-query-error')).toBe('ValidationError;Sender');
    expect(await badValue.json()).toMatchObject({
      __type: 'com.amazon.coral.validate#ValidationException',
    });
    expect(badArn.headers.get('x-amzn-query-error')).toBe('InvalidParameterValue;Sender');
    expect(await badArn.json()).toMatchObject({ __type: 'InvalidParameterValueException' });
  });
});
