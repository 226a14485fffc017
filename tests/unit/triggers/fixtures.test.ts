import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidRequestError } from '#lib/errors.ts';
import { decide, type TriggerConfig, type TriggerDecision } from '#lib/triggers/normalise.ts';

const EVENTS_DIR = join(process.cwd(), 'events');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(EVENTS_DIR, name), 'utf8'));
}

const config: TriggerConfig = {
  alarmNamePrefix: '',
  allowedClusters: [],
  defaultScript: 'basic',
  routing: { version: 1, routes: [] },
  now: () => new Date('2025-03-14T15:00:20.000Z'),
};

function only(decisions: TriggerDecision[]): TriggerDecision {
  expect(decisions).toHaveLength(1);
  const [decision] = decisions;
  if (decision === undefined) throw new Error('no decision');
  return decision;
}

function started(name: string) {
  const decision = only(decide(fixture(name), config));
  if (decision.action !== 'start') throw new Error(`expected a start, got: ${decision.reason}`);
  return decision;
}

const CPU_HIGH_ARN = 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:payments-prod-checkout-api-cpu-high';
const CPU_METRIC = {
  id: '7a3c1e52-94d0-4b6f-2e8a-c51d9b06f3e7',
  namespace: 'AWS/ECS',
  metricName: 'CPUUtilization',
  dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api' },
};

describe('triggers: every shared fixture', () => {
  it('normalises the EventBridge single-metric alarm to cluster + service', () => {
    const decision = started('eventbridge-alarm-ecs-cpu-single-metric.json');

    expect(decision.request).toMatchObject({
      cluster: 'payments-prod',
      service: 'checkout-api',
      source: {
        type: 'alarm',
        alarmName: 'payments-prod-checkout-api-cpu-high',
        alarmArn: CPU_HIGH_ARN,
        stateChangeTime: '2025-03-14T09:27:41.516Z',
      },
      alarm: {
        name: 'payments-prod-checkout-api-cpu-high',
        arn: CPU_HIGH_ARN,
        type: 'metric',
        metrics: [CPU_METRIC],
      },
      reason: 'alarm entered ALARM at 2025-03-14T09:27:41.516Z (via eventbridge)',
    });
    expect(decision.cooldown).toMatchObject({
      cluster: 'payments-prod',
      service: 'checkout-api',
      script: 'basic',
    });
    expect(decision.executionName).toMatch(
      /^[0-9a-f]{8}-20250314T092741-payments-prod-checkout-api-cpu-high-[0-9a-f]{10}$/,
    );
  });

  it('gives the SNS and Lambda deliveries of the same state change the same execution name', () => {
    const viaEventBridge = started('eventbridge-alarm-ecs-cpu-single-metric.json');
    const viaSns = started('sns-alarm-single-metric-ecs-cpu.json');
    const viaLambda = started('lambda-alarm-action-metric.json');

    expect(viaSns.executionName).toBe(viaEventBridge.executionName);
    expect(viaLambda.executionName).toBe(viaEventBridge.executionName);
    expect(viaSns.request).toMatchObject({ cluster: 'payments-prod', service: 'checkout-api' });
    expect(viaSns.request.alarm?.metrics).toEqual([
      {
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        dimensions: { ServiceName: 'checkout-api', ClusterName: 'payments-prod' },
      },
    ]);
    expect(viaLambda.request.source).toEqual(viaEventBridge.request.source);
  });

  it('reads metric-math alarms through the dimensions of their metricStat entries (EventBridge and SNS)', () => {
    for (const name of ['eventbridge-alarm-metric-math.json', 'sns-alarm-metric-math.json']) {
      const decision = started(name);

      expect(decision.request).toMatchObject({ cluster: 'payments-prod', service: 'checkout-api' });
      expect(decision.request.alarm?.metrics.map((metric) => metric.id)).toEqual(['m1', 'm2']);
      expect(decision.request.source.stateChangeTime).toBe('2025-03-14T12:18:49.554Z');
    }
  });

  it('reads the anomaly-detection alarm through its metricStat, not the band expression', () => {
    const decision = started('eventbridge-alarm-anomaly-detection.json');

    expect(decision.request).toMatchObject({ cluster: 'payments-prod', service: 'checkout-api' });
    expect(decision.request.alarm?.metrics).toHaveLength(1);
  });

  it('reads the Container Insights service alarm', () => {
    expect(started('eventbridge-alarm-containerinsights-service.json').request).toMatchObject({
      cluster: 'payments-prod',
      service: 'checkout-api',
    });
  });

  it('keeps the enhanced container metric dimensions: container in the request, TaskId and family as alarm data', () => {
    const decision = started('eventbridge-alarm-enhanced-container-metric.json');

    expect(decision.request.cluster).toBe('payments-prod');
    expect(decision.request.service).toBeUndefined();
    expect(decision.request.container).toBe('checkout');
    expect(decision.request.alarm?.metrics[0]?.dimensions).toEqual({
      ClusterName: 'payments-prod',
      ContainerName: 'checkout',
      TaskDefinitionFamily: 'checkout-api',
      TaskId: '3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61',
    });
  });

  it('passes composite alarms on with their rule and triggering children, cluster left to resolve-targets', () => {
    for (const name of ['eventbridge-alarm-composite.json', 'lambda-alarm-action-composite.json']) {
      const decision = started(name);

      expect(decision.request.cluster).toBeUndefined();
      expect(decision.request.alarm).toMatchObject({
        name: 'payments-prod-checkout-api-degraded',
        arn: 'arn:aws:cloudwatch:us-east-1:493817260514:alarm:payments-prod-checkout-api-degraded',
        type: 'composite',
        metrics: [],
        alarmRule:
          'ALARM(payments-prod-checkout-api-cpu-high) OR ALARM(payments-prod-checkout-api-running-tasks-low)',
        triggeringAlarms: [CPU_HIGH_ARN],
      });
      expect(decision.routedBy).toBe('alarm');
    }
  });

  it('ignores the alarm going back to OK, with the reason', () => {
    const decision = only(decide(fixture('eventbridge-alarm-back-to-ok.json'), config));

    expect(decision).toEqual({
      action: 'ignore',
      alarmName: 'payments-prod-checkout-api-cpu-high',
      reason: 'alarm state is OK, not ALARM: nothing to diagnose',
    });
  });

  it('takes the static schedule input as the request, without a cooldown', () => {
    const decision = started('stepfunctions-input-from-schedule.json');

    expect(decision.request).toEqual({
      cluster: 'payments-prod',
      service: 'checkout-api',
      script: 'basic',
      source: { type: 'schedule' },
    });
    expect(decision.cooldown).toBeUndefined();
    expect(decision.executionName).toMatch(
      /^[0-9a-f]{8}-20250314T150000-schedule-checkout-api-[0-9a-f]{10}$/,
    );
  });

  it('rejects the classic scheduled event with an empty detail, naming detail and the fix', () => {
    const event = { ...(fixture('eventbridge-scheduled-event.json') as Record<string, unknown>), detail: {} };

    expect(() => decide(event, config)).toThrow(InvalidRequestError);
    expect(() => decide(event, config)).toThrow(
      /^detail: the scheduled event carries no request: set the rule target Input/,
    );
  });

  it.each(
    readdirSync(EVENTS_DIR)
      .filter((file) => /^(eventbridge|sns|lambda|stepfunctions)-.*\.json$/.test(file))
      .map((file) => [file]),
  )('accepts the shipped %s (every trigger file in events/ is a valid start-run event)', (file) => {
    expect(() => decide(fixture(file), config)).not.toThrow();
  });

  it('takes a scheduled event whose detail is a request, stamped with the event time and rule', () => {
    const event = fixture('eventbridge-scheduled-event.json') as Record<string, unknown>;

    const decision = only(decide(event, config));

    if (decision.action !== 'start') throw new Error(decision.reason);
    expect(decision.request.source).toEqual({
      type: 'schedule',
      ruleArn: 'arn:aws:events:us-east-1:493817260514:rule/payments-prod-checkout-api-basic-check',
    });
    expect(decision.executionName).toContain('-20250314T150000-');
  });
});
