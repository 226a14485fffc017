import { describe, expect, it } from '@jest/globals';
import { parseMapItem } from '#lib/map-item.ts';

const item = (target: Record<string, unknown>) => ({
  target: {
    cluster: 'payments-prod',
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/payments-prod/0123456789abcdef0123456789abcdef',
    container: 'app',
    script: 'basic',
    ...target,
  },
  run: { executionName: 'run-1', prefix: 'runs/2026/12/02/run-1/' },
});

describe('parseMapItem', () => {
  it('keeps the target’s service, so results group by service like the targets they came from', () => {
    // Act
    const parsed = parseMapItem(item({ service: 'checkout', az: 'eu-west-1a' }));

    // Assert
    expect(parsed.target).toMatchObject({ cluster: 'payments-prod', service: 'checkout', az: 'eu-west-1a' });
  });

  it('leaves the service out when resolution did not know it', () => {
    // Act
    const parsed = parseMapItem(item({ service: null }));

    // Assert
    expect(parsed.target).not.toHaveProperty('service');
  });

  it('refuses a service that is not a string, naming the field', () => {
    // Act
    const parse = () => parseMapItem(item({ service: 42 }));

    // Assert
    expect(parse).toThrow(expect.objectContaining({ name: 'InvalidRequestError', field: 'target.service' }));
  });
});
