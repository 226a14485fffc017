import { InvalidRequestError } from '#lib/errors.ts';
import { parseRequest } from '#lib/request.ts';

function fieldOf(input: unknown): string {
  try {
    parseRequest(input);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error.field;
    throw error;
  }
  throw new Error('expected InvalidRequestError');
}

describe('request', () => {
  it('accepts a manual request and defaults its source to manual', () => {
    const request = parseRequest({
      cluster: 'payments-prod',
      tasks: ['3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61'],
      script: 'jvm',
    });

    expect(request).toEqual({
      cluster: 'payments-prod',
      tasks: ['3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61'],
      script: 'jvm',
      source: { type: 'manual' },
    });
  });

  it('accepts cluster, service and task ARNs', () => {
    expect(() =>
      parseRequest({
        cluster: 'arn:aws:ecs:us-east-1:493817260514:cluster/payments-prod',
        tasks: ['arn:aws:ecs:us-east-1:493817260514:task/payments-prod/3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61'],
      }),
    ).not.toThrow();
    expect(() =>
      parseRequest({
        cluster: 'payments-prod',
        service: 'arn:aws:ecs:us-east-1:493817260514:service/payments-prod/checkout-api',
      }),
    ).not.toThrow();
  });

  it.each([
    [{ service: 'checkout-api' }, 'cluster'],
    [{ cluster: 'payments prod', service: 'x' }, 'cluster'],
    [{ cluster: 'c' }, 'service'],
    [{ cluster: 'c', service: 's', tasks: ['3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61'] }, 'tasks'],
    [{ cluster: 'c', tasks: ['3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61', 'not-a-task'] }, 'tasks[1]'],
    [{ cluster: 'c', service: 's', container: 'app; rm -rf /' }, 'container'],
    [{ cluster: 'c', service: 's', script: 'basic && curl evil' }, 'script'],
    [{ cluster: 'c', service: 's', maxTasks: 0 }, 'maxTasks'],
    [{ cluster: 'c', service: 's', maxTasks: 2.5 }, 'maxTasks'],
    [{ cluster: 'c', service: 's', maxConcurrency: 41 }, 'maxConcurrency'],
    [{ cluster: 'c', service: 's', source: { type: 'cron' } }, 'source.type'],
    [{ cluster: 'c', service: 's', source: { type: 'alarm', alarmArn: 'arn:aws:sns:x' } }, 'source.alarmArn'],
    [{ cluster: 'c', service: 's', command: 'id' }, 'request'],
    [{ alarm: { name: '' } }, 'alarm.name'],
    ['cluster=c', 'request'],
  ])('rejects %j naming %s', (input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('names unknown fields and says to remove them', () => {
    expect(() => parseRequest({ cluster: 'c', service: 's', command: 'id' })).toThrow(
      'request: unknown field(s) "command"; remove them',
    );
  });
});
