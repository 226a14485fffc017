import { InvalidRequestError } from '#lib/errors.ts';
import { MAX_SERVICES, parseRequest } from '#lib/request.ts';

function rejection(input: unknown): { field: string; message: string } {
  try {
    parseRequest(input);
  } catch (error) {
    if (error instanceof InvalidRequestError) return { field: error.field, message: error.message };
    throw error;
  }
  throw new Error('expected InvalidRequestError');
}

const SERVICE_ARN = 'arn:aws:ecs:us-east-1:493817260514:service/fleet-2/svc-002';

describe('sweep requests', () => {
  it.each([
    [{ cluster: 'fleet-1', services: ['a', 'b'] }],
    [{ services: [SERVICE_ARN, 'arn:aws:ecs:us-east-1:493817260514:service/fleet-1/svc-001'] }],
    [{ cluster: 'fleet-1', allServices: true, maxTasks: 50 }],
    [{ clusters: ['fleet-1', 'fleet-2'], allServices: true }],
    [{ clusters: ['fleet-1'], serviceTags: { team: 'payments' }, source: 'schedule' }],
  ])('accepts %j', (input) => {
    expect(() => parseRequest(input)).not.toThrow();
  });

  it.each([
    [{ cluster: 'c', service: 's', services: ['t'] }, 'services', /one of service, services, tasks/],
    [
      { cluster: 'c', allServices: true, serviceTags: { a: 'b' } },
      'serviceTags',
      /not allServices and serviceTags/,
    ],
    [{ allServices: true }, 'cluster', /required for a sweep/],
    [{ cluster: 'c', clusters: ['d'], allServices: true }, 'clusters', /either cluster or clusters/],
    [{ clusters: ['c'], service: 's' }, 'clusters', /only for sweeps/],
    [{ services: ['bare'] }, 'services[0]', /bare service name: give cluster/],
    [
      { cluster: 'fleet-1', services: [SERVICE_ARN] },
      'services[0]',
      /of cluster fleet-2, not of the request's cluster fleet-1/,
    ],
    [{ cluster: 'c', allServices: false }, 'allServices', /must be true/],
    [{ cluster: 'c', serviceTags: {} }, 'serviceTags', /at least one tag/],
    [
      { cluster: 'c', serviceTags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) },
      'serviceTags',
      /at most 10 tags/,
    ],
    [
      { cluster: 'c', services: Array.from({ length: MAX_SERVICES + 1 }, (_, i) => `s${i}`) },
      'services',
      /100/,
    ],
    [{ cluster: 'c', allServices: true, maxTasks: 51 }, 'maxTasks', /50/],
    [{ clusters: Array.from({ length: 11 }, (_, i) => `c${i}`), allServices: true }, 'clusters', /10/],
    [
      { alarm: { name: 'a' }, cluster: 'c', allServices: true },
      'allServices',
      /for schedules and manual runs/,
    ],
  ])('rejects %j naming %s', (input, field, message) => {
    const { field: named, message: text } = rejection(input);
    expect(named).toBe(field);
    expect(text).toMatch(message);
  });
});
