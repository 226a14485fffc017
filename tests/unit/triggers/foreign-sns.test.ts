import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decide, type TriggerConfig } from '#lib/triggers/normalise.ts';

const config: TriggerConfig = {
  alarmNamePrefix: '',
  allowedClusters: [],
  defaultScript: 'basic',
  routing: { version: 1, routes: [] },
  now: () => new Date('2025-03-14T15:00:00Z'),
  home: { account: '493817260514', region: 'us-east-1' },
};

/** The sample SNS alarm notification, with its message and topic changed by `edit`. */
function snsEvent(edit: (message: Record<string, unknown>, sns: Record<string, unknown>) => void) {
  const event = JSON.parse(
    readFileSync(join(process.cwd(), 'events', 'sns-alarm-single-metric-ecs-cpu.json'), 'utf8'),
  ) as { Records: { Sns: Record<string, unknown> }[] };
  const sns = event.Records[0]?.Sns as Record<string, unknown>;
  const message = JSON.parse(sns.Message as string) as Record<string, unknown>;
  edit(message, sns);
  sns.Message = JSON.stringify(message);
  return event;
}

describe('triggers: SNS notifications from outside the stack', () => {
  it('starts a run for the unmodified sample (this account, this region)', () => {
    expect(
      decide(
        snsEvent(() => {}),
        config,
      )[0]?.action,
    ).toBe('start');
  });

  it('treats a message without AlarmArn as foreign instead of skipping the account check', () => {
    const [decision] = decide(
      snsEvent((message) => {
        delete message.AlarmArn;
      }),
      config,
    );

    expect(decision).toMatchObject({ action: 'ignore', reason: expect.stringContaining('no AlarmArn') });
  });

  it('ignores a topic of another account unless ALARM_TOPIC_ACCOUNT_IDS lists it', () => {
    const event = snsEvent((_message, sns) => {
      sns.TopicArn = 'arn:aws:sns:us-east-1:111122223333:shared-alarms';
    });

    expect(decide(event, config)[0]).toMatchObject({
      action: 'ignore',
      reason: expect.stringContaining('account 111122223333'),
    });
    expect(decide(event, { ...config, topicAccounts: ['111122223333'] })[0]?.action).toBe('start');
  });

  it('ignores a record that names no topic', () => {
    const event = snsEvent((_message, sns) => {
      delete sns.TopicArn;
    });

    expect(decide(event, config)[0]).toMatchObject({ action: 'ignore' });
  });
});
