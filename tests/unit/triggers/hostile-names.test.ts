import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidExecutionName } from '#lib/triggers/execution-name.ts';
import { decide, type TriggerConfig } from '#lib/triggers/normalise.ts';

const config: TriggerConfig = {
  alarmNamePrefix: '',
  allowedClusters: [],
  defaultScript: 'basic',
  routing: { version: 1, routes: [] },
  now: () => new Date('2025-03-14T15:00:00Z'),
};

function alarmEvent(alarmName: string): Record<string, unknown> {
  const event = JSON.parse(
    readFileSync(join(process.cwd(), 'events', 'eventbridge-alarm-ecs-cpu-single-metric.json'), 'utf8'),
  ) as { detail: { alarmName: string }; resources: string[] };
  event.detail.alarmName = alarmName;
  event.resources = [`arn:aws:cloudwatch:us-east-1:493817260514:alarm:${alarmName}`];
  return event;
}

const HOSTILE = [
  '$(rm -rf /); `reboot` && echo pwned | tee /etc/passwd',
  'cpu "high" <script>alert(1)</script> {x} [y] ?*#%\\^|~$&,;:/',
  'ünïcødé-警报-🚨-alarm',
  'line\nbreak\ttab\u0000nul\u007fdel',
  '../../../../etc/passwd',
  'a'.repeat(255),
  '🚨'.repeat(120),
  '---',
];

describe('triggers: hostile alarm names', () => {
  it.each(HOSTILE)('keeps %j as data and builds a valid execution name', (alarmName) => {
    const [decision] = decide(alarmEvent(alarmName), config);

    if (decision?.action !== 'start') throw new Error(`expected a start: ${JSON.stringify(decision)}`);
    expect(decision.request.source.alarmName).toBe(alarmName);
    expect(decision.request.alarm?.name).toBe(alarmName);
    expect(isValidExecutionName(decision.executionName)).toBe(true);
    expect(decision.executionName.length).toBeLessThanOrEqual(80);
  });

  it('gives different hostile names different execution names, even when they sanitise alike', () => {
    const names = ['cpu;high', 'cpu|high', 'cpu&high', 'cpu high', '🚨cpu high', 'cpu-high'];

    const executionNames = names.map((name) => {
      const [decision] = decide(alarmEvent(name), config);
      if (decision?.action !== 'start') throw new Error('expected a start');
      return decision.executionName;
    });

    expect(new Set(executionNames).size).toBe(names.length);
  });

  it('distinguishes two 255-character names that differ only in the last character', () => {
    const first = decide(alarmEvent(`${'x'.repeat(254)}a`), config)[0];
    const second = decide(alarmEvent(`${'x'.repeat(254)}b`), config)[0];

    if (first?.action !== 'start' || second?.action !== 'start') throw new Error('expected starts');
    expect(first.executionName).not.toBe(second.executionName);
  });

  it('rejects a 256-character alarm name, naming the field', () => {
    expect(() => decide(alarmEvent('y'.repeat(256)), config)).toThrow(/^source\.alarmName: /);
  });
});
