import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MAX_ALARM_TEXT, MAX_REASON_DATA } from '#lib/triggers/alarm-event.ts';
import { decide, type TriggerConfig } from '#lib/triggers/normalise.ts';

const config: TriggerConfig = {
  alarmNamePrefix: '',
  allowedClusters: [],
  defaultScript: 'basic',
  routing: { version: 1, routes: [] },
  now: () => new Date('2025-03-14T15:00:20.000Z'),
};

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(process.cwd(), 'events', name), 'utf8')) as Record<string, unknown>;
}

function alarmOf(event: unknown) {
  const [decision] = decide(event, config);
  if (decision?.action !== 'start') throw new Error(`expected a start, got ${JSON.stringify(decision)}`);
  return decision.request.alarm;
}

describe('the alarm in its own words travels in the request', () => {
  it('keeps the EventBridge reason, reasonData, description, previous state and the threshold from reasonData', () => {
    const alarm = alarmOf(fixture('eventbridge-alarm-ecs-cpu-single-metric.json'));

    expect(alarm).toMatchObject({
      description: 'checkout-api average CPU above 85% for 3 consecutive minutes',
      threshold: 85,
      state: {
        value: 'ALARM',
        timestamp: '2025-03-14T09:27:41.516Z',
        reason: expect.stringMatching(/^Threshold Crossed: 3 out of the last 3 datapoints/),
        reasonData: { recentDatapoints: [88.91666666666667, 93.08333333333333, 97.41666666666667] },
      },
      previousState: {
        value: 'OK',
        timestamp: '2025-03-14T07:02:18.204Z',
        reason: expect.stringMatching(/was not greater than the threshold/),
      },
    });
  });

  it('keeps the SNS reason, threshold and comparison operator', () => {
    const alarm = alarmOf(fixture('sns-alarm-single-metric-ecs-cpu.json'));

    expect(alarm).toMatchObject({
      description: 'checkout-api average CPU above 85% for 3 consecutive minutes',
      threshold: 85,
      comparisonOperator: 'GreaterThanThreshold',
      state: { value: 'ALARM', reason: expect.stringMatching(/^Threshold Crossed/) },
      previousState: { value: 'OK' },
    });
  });

  it('bounds a huge reason, description and reasonData so the request stays small', () => {
    const event = fixture('eventbridge-alarm-ecs-cpu-single-metric.json');
    const detail = event.detail as Record<string, Record<string, unknown>>;
    const state = detail.state as Record<string, unknown>;
    state.reason = 'R'.repeat(300_000);
    state.reasonData = JSON.stringify({
      threshold: 85,
      recentDatapoints: Array.from({ length: 50_000 }, (_, i) => i),
      blob: 'x'.repeat(100_000),
    });
    (detail.configuration as Record<string, unknown>).description = 'D'.repeat(100_000);

    const alarm = alarmOf(event);

    expect(alarm?.state?.reason?.length).toBe(MAX_ALARM_TEXT + 1);
    expect(alarm?.description?.length).toBe(MAX_ALARM_TEXT + 1);
    expect(JSON.stringify(alarm?.state?.reasonData).length).toBeLessThanOrEqual(MAX_REASON_DATA);
    expect(alarm?.state?.reasonData).toMatchObject({ truncated: true, threshold: 85 });
    expect(JSON.stringify(alarm).length).toBeLessThan(12_000);
  });
});
