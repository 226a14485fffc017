import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decide, type TriggerConfig } from '#lib/triggers/normalise.ts';

const config: TriggerConfig = {
  alarmNamePrefix: '',
  allowedClusters: ['payments-prod'],
  defaultScript: 'basic',
  routing: { version: 1, routes: [] },
  now: () => new Date('2025-03-14T15:00:00Z'),
  home: { account: '493817260514', region: 'us-east-1' },
};

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(process.cwd(), 'events', name), 'utf8')) as Record<string, unknown>;
}

/** The EventBridge fixture as another account (or region) would forward it to this bus. */
function forwarded(account: string, region: string): Record<string, unknown> {
  const event = fixture('eventbridge-alarm-ecs-cpu-single-metric.json');
  event.account = account;
  event.region = region;
  event.resources = [`arn:aws:cloudwatch:${region}:${account}:alarm:payments-prod-checkout-api-cpu-high`];
  return event;
}

describe('triggers: alarms of other accounts and regions', () => {
  it('starts a run for an alarm of this account and region', () => {
    expect(decide(forwarded('493817260514', 'us-east-1'), config)[0]?.action).toBe('start');
  });

  it('ignores an alarm of another account whose ClusterName happens to match a local cluster', () => {
    const [decision] = decide(forwarded('111122223333', 'us-east-1'), config);

    expect(decision).toMatchObject({ action: 'ignore', reason: expect.stringContaining('111122223333') });
  });

  it('ignores an alarm of another region', () => {
    const [decision] = decide(forwarded('493817260514', 'eu-west-1'), config);

    expect(decision).toMatchObject({ action: 'ignore', reason: expect.stringContaining('eu-west-1') });
  });

  it('applies to SNS notifications too', () => {
    const event = fixture('sns-alarm-single-metric-ecs-cpu.json') as {
      Records: { Sns: { Message: string } }[];
    };
    const record = event.Records[0];
    if (record === undefined) throw new Error('fixture without record');
    const message = JSON.parse(record.Sns.Message) as { AlarmArn: string };
    message.AlarmArn = message.AlarmArn.replace('493817260514', '111122223333');
    record.Sns.Message = JSON.stringify(message);

    expect(decide(event, config)[0]?.action).toBe('ignore');
  });
});
