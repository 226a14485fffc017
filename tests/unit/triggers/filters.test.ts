import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRequestError } from '#lib/errors.ts';
import { decide, type TriggerConfig } from '#lib/triggers/normalise.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(process.cwd(), 'events', name), 'utf8')) as Record<string, unknown>;
}

const base: TriggerConfig = {
  alarmNamePrefix: '',
  allowedClusters: [],
  defaultScript: 'basic',
  routing: { version: 1, routes: [] },
  now: () => new Date('2025-03-14T15:00:00Z'),
};

describe('triggers: filters and rejections', () => {
  it('ignores alarms outside the AlarmNamePrefix', () => {
    const [decision] = decide(fixture('eventbridge-alarm-ecs-cpu-single-metric.json'), {
      ...base,
      alarmNamePrefix: 'orders-',
    });

    expect(decision).toMatchObject({ action: 'ignore', reason: expect.stringContaining('"orders-"') });
  });

  it('ignores alarms on clusters outside ALLOWED_CLUSTERS, and accepts the listed ones', () => {
    const event = fixture('sns-alarm-single-metric-ecs-cpu.json');

    expect(decide(event, { ...base, allowedClusters: ['orders-prod'] })[0]).toMatchObject({
      action: 'ignore',
      reason:
        'cluster "payments-prod" is not in this stack\'s TargetClusterNames (the deploy parameter that allows it)',
    });
    expect(decide(event, { ...base, allowedClusters: ['orders-prod', 'payments-prod'] })[0]?.action).toBe(
      'start',
    );
  });

  it('applies the allow-list to static requests given by cluster ARN', () => {
    const request = {
      cluster: 'arn:aws:ecs:us-east-1:493817260514:cluster/payments-prod',
      service: 'checkout-api',
    };

    expect(decide(request, { ...base, allowedClusters: ['payments-prod'] })[0]?.action).toBe('start');
    expect(decide(request, { ...base, allowedClusters: ['other'] })[0]?.action).toBe('ignore');
  });

  it('routes an alarm without ECS dimensions through the routing file for its cooldown subject', () => {
    const event = fixture('eventbridge-alarm-ecs-cpu-single-metric.json') as {
      detail: { alarmName: string; configuration: { metrics: unknown[] } };
    };
    event.detail.alarmName = 'checkout-latency-p99';
    event.detail.configuration.metrics = [];

    const [decision] = decide(event, {
      ...base,
      routing: {
        version: 1,
        routes: [
          { alarmName: 'orders-*', cluster: 'orders' },
          { alarmName: 'checkout-*', cluster: 'payments-prod', service: 'checkout-api', script: 'network' },
        ],
      },
    });

    expect(decision).toMatchObject({
      action: 'start',
      routedBy: 'routing[1]',
      cooldown: { cluster: 'payments-prod', service: 'checkout-api', script: 'network' },
    });
  });

  it('rejects events it cannot read, naming the field', () => {
    const sns = fixture('sns-alarm-single-metric-ecs-cpu.json') as {
      Records: { Sns: { Message: string } }[];
    };
    const record = sns.Records[0];
    if (record === undefined) throw new Error('fixture without record');
    record.Sns.Message = 'not json';

    expect(() => decide(sns, base)).toThrow('Records[0].Sns.Message: is not valid JSON');
    expect(() => decide({ hello: 'world' }, base)).toThrow(InvalidRequestError);
    expect(() => decide([], base)).toThrow('event: must be a JSON object');
  });

  it('rejects an alarm event without a state timestamp, naming it', () => {
    const event = fixture('eventbridge-alarm-ecs-cpu-single-metric.json') as {
      detail: { state: { timestamp?: string } };
    };
    delete event.detail.state.timestamp;

    expect(() => decide(event, base)).toThrow('detail.state.timestamp: is missing from the alarm event');
  });

  it('ignores other EventBridge event types', () => {
    const [decision] = decide(
      { 'detail-type': 'ECS Task State Change', source: 'aws.ecs', detail: {} },
      base,
    );

    expect(decision?.action).toBe('ignore');
  });

  it('rejects a static request that names a command instead of a catalog script', () => {
    expect(() =>
      decide({ cluster: 'payments-prod', service: 'checkout-api', script: 'cat /etc/shadow' }, base),
    ).toThrow(/^script: must name a script of the catalog \(/);
  });
});

describe('triggers: composite action suppression', () => {
  it('ignores a composite alarm whose suppressor alarm is in ALARM, and goes ahead during the wait period', () => {
    const event = fixture('eventbridge-alarm-composite.json') as {
      detail: { state: { actionsSuppressedBy: string } };
    };

    expect(decide(event, base)[0]?.action).toBe('start');
    event.detail.state.actionsSuppressedBy = 'Alarm';
    expect(decide(event, base)[0]).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('suppressed (Alarm)'),
    });
  });
});
