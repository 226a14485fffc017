import {
  cooldownKey,
  executionName,
  isValidExecutionName,
  sanitiseLabel,
} from '#lib/triggers/execution-name.ts';

describe('execution-name', () => {
  it('is deterministic for the same identity', () => {
    const options = {
      key: 'abcdef01',
      at: new Date('2025-03-14T09:27:41.516Z'),
      label: 'cpu-high',
      identity: 'x',
    };

    expect(executionName(options)).toBe(executionName({ ...options }));
    expect(executionName(options)).toMatch(/^abcdef01-20250314T092741-cpu-high-[0-9a-f]{10}$/);
  });

  it('keeps to 80 ASCII characters whatever the label', () => {
    const name = executionName({ key: 'abcdef01', at: new Date(0), label: 'ä'.repeat(300), identity: 'y' });

    expect(isValidExecutionName(name)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(80);
  });

  it('sanitises labels to [A-Za-z0-9_-] and never returns an empty label', () => {
    expect(sanitiseLabel('a b/c:d', 40)).toBe('a-b-c-d');
    expect(sanitiseLabel('🚨🚨', 40)).toBe('run');
    expect(sanitiseLabel('-_-x-_-', 40)).toBe('x');
  });

  it('keys the cooldown on the cluster name, whether given by name or ARN', () => {
    expect(
      cooldownKey({
        cluster: 'arn:aws:ecs:us-east-1:493817260514:cluster/payments-prod',
        service: 's',
        script: 'basic',
      }),
    ).toBe(cooldownKey({ cluster: 'payments-prod', service: 's', script: 'basic' }));
    expect(cooldownKey({ cluster: 'payments-prod', service: 's', script: 'jvm' })).not.toBe(
      cooldownKey({ cluster: 'payments-prod', service: 's', script: 'basic' }),
    );
  });
});
