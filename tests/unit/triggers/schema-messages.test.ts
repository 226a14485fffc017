/**
 * The exact messages of schema failures (zod's own wording for types, bounds, options and keys): users and
 * the state machine's Catch see them, and they must not change when the schema library or its entry point does.
 */
import { ConfigurationError, InvalidRequestError } from '#lib/errors.ts';
import { parseRequest } from '#lib/request.ts';
import { parseRoutingTable } from '#lib/targets/routing.ts';

const ok = { cluster: 'payments-prod', service: 'checkout-api', script: 'jvm' };
const alarm = {
  name: 'cpu-high',
  metrics: [{ dimensions: { ClusterName: 'payments-prod', ServiceName: 'checkout-api' } }],
};
const long = (n: number) => 'a'.repeat(n);
const route = { alarmName: 'x-*', cluster: 'c' };

function messageOf(parse: () => unknown, errorClass: abstract new (...args: never[]) => Error): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof errorClass) return error.message;
    throw error;
  }
  throw new Error('expected the input to be rejected');
}

describe('schema messages', () => {
  it.each<[string, unknown, string]>([
    [
      'cluster wrong type',
      { ...ok, cluster: 42 },
      'cluster: Invalid input: expected string, received number',
    ],
    [
      'clusters empty',
      { clusters: [], allServices: true },
      'clusters: Too small: expected array to have >=1 items',
    ],
    [
      'clusters too many',
      { clusters: Array.from({ length: 11 }, (_, i) => `c${i}`), allServices: true },
      'clusters: Too big: expected array to have <=10 items',
    ],
    [
      'clusters not array',
      { clusters: 'c1', allServices: true },
      'clusters: Invalid input: expected array, received string',
    ],
    [
      'services too many',
      { cluster: 'c', services: Array.from({ length: 101 }, (_, i) => `s${i}`) },
      'services: Too big: expected array to have <=100 items',
    ],
    [
      'allServices string',
      { cluster: 'c', allServices: 'yes' },
      'allServices: must be true (leave it out otherwise)',
    ],
    [
      'serviceTags key long',
      { cluster: 'c', serviceTags: { [long(129)]: 'v' } },
      'serviceTags.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: Invalid key in record',
    ],
    [
      'serviceTags value long',
      { cluster: 'c', serviceTags: { k: long(257) } },
      'serviceTags.k: Too big: expected string to have <=256 characters',
    ],
    [
      'serviceTags array',
      { cluster: 'c', serviceTags: ['a'] },
      'serviceTags: Invalid input: expected record, received array',
    ],
    [
      'tasks number',
      { cluster: 'c', tasks: [1] },
      'tasks[0]: Invalid input: expected string, received number',
    ],
    [
      'container number',
      { ...ok, container: 5 },
      'container: Invalid input: expected string, received number',
    ],
    ['maxTasks zero', { ...ok, maxTasks: 0 }, 'maxTasks: Too small: expected number to be >=1'],
    ['maxTasks big', { ...ok, maxTasks: 51 }, 'maxTasks: Too big: expected number to be <=50'],
    ['maxTasks fraction', { ...ok, maxTasks: 1.5 }, 'maxTasks: Invalid input: expected int, received number'],
    [
      'maxTasks string',
      { ...ok, maxTasks: '3' },
      'maxTasks: Invalid input: expected number, received string',
    ],
    [
      'maxTasks NaN',
      { ...ok, maxTasks: Number.NaN },
      'maxTasks: Invalid input: expected number, received NaN',
    ],
    [
      'maxConcurrency big',
      { ...ok, maxConcurrency: 41 },
      'maxConcurrency: Too big: expected number to be <=40',
    ],
    [
      'reason long',
      { ...ok, reason: long(1025) },
      'reason: Too big: expected string to have <=1024 characters',
    ],
    [
      'source bad type',
      { ...ok, source: 'pager' },
      'source.type: Invalid option: expected one of "alarm"|"schedule"|"manual"',
    ],
    ['source number', { ...ok, source: 3 }, 'source: Invalid input: expected object, received number'],
    ['source null', { ...ok, source: null }, 'source: Invalid input: expected object, received null'],
    [
      'source unknown key',
      { ...ok, source: { type: 'manual', extra: 1 } },
      'source: unknown field(s) "extra"; remove them',
    ],
    [
      'source alarmName empty',
      { ...ok, source: { type: 'alarm', alarmName: '' } },
      'source.alarmName: Too small: expected string to have >=1 characters',
    ],
    [
      'source missing type',
      { ...ok, source: {} },
      'source.type: Invalid option: expected one of "alarm"|"schedule"|"manual"',
    ],
    [
      'unknown keys many',
      { ...ok, a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 },
      'request: unknown field(s) "a", "b", "c", "d", "e"; remove them',
    ],
    [
      'unknown key long',
      { ...ok, [long(100)]: 1 },
      'request: unknown field(s) "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; remove them',
    ],
    [
      'alarm missing name',
      { cluster: 'c', alarm: { metrics: [] } },
      'alarm.name: Invalid input: expected string, received undefined',
    ],
    [
      'alarm type bad',
      { alarm: { ...alarm, type: 'anomaly' } },
      'alarm.type: Invalid option: expected one of "metric"|"composite"',
    ],
    [
      'alarm metrics too many',
      { alarm: { ...alarm, metrics: Array.from({ length: 21 }, () => ({ dimensions: {} })) } },
      'alarm.metrics: Too big: expected array to have <=20 items',
    ],
    [
      'alarm metric missing dimensions',
      { alarm: { ...alarm, metrics: [{}] } },
      'alarm.metrics[0].dimensions: Invalid input: expected record, received undefined',
    ],
    [
      'alarm metric unknown key',
      { alarm: { ...alarm, metrics: [{ dimensions: {}, x: 1 }] } },
      'alarm.metrics[0]: unknown field(s) "x"; remove them',
    ],
    [
      'alarm dimension key empty',
      { alarm: { ...alarm, metrics: [{ dimensions: { '': 'v' } }] } },
      'alarm.metrics[0].dimensions.: Invalid key in record',
    ],
    [
      'alarm dimension value number',
      { alarm: { ...alarm, metrics: [{ dimensions: { k: 1 } }] } },
      'alarm.metrics[0].dimensions.k: Invalid input: expected string, received number',
    ],
    [
      'alarm triggering item long',
      { alarm: { ...alarm, triggeringAlarms: [long(1601)] } },
      'alarm.triggeringAlarms[0]: Too big: expected string to have <=1600 characters',
    ],
    [
      'alarm state value long',
      { alarm: { ...alarm, state: { value: long(65) } } },
      'alarm.state.value: Too big: expected string to have <=64 characters',
    ],
    [
      'alarm state reasonData array',
      { alarm: { ...alarm, state: { value: 'ALARM', reasonData: [1] } } },
      'alarm.state.reasonData: Invalid input: expected record, received array',
    ],
    [
      'alarm previousState bad',
      { alarm: { ...alarm, previousState: 'OK' } },
      'alarm.previousState: Invalid input: expected object, received string',
    ],
    [
      'alarm threshold string',
      { alarm: { ...alarm, threshold: '5' } },
      'alarm.threshold: Invalid input: expected number, received string',
    ],
  ])('request: %s', (_name, input, message) => {
    expect(messageOf(() => parseRequest(input), InvalidRequestError)).toBe(message);
  });

  it.each<[string, unknown, string]>([
    ['not object', 'x', 'routing/routing.json: file: Invalid input: expected object, received string'],
    ['version 2', { version: 2, routes: [] }, 'routing/routing.json: version: Invalid input: expected 1'],
    [
      'routes missing',
      { version: 1 },
      'routing/routing.json: routes: Invalid input: expected array, received undefined',
    ],
    [
      'routes too many',
      { version: 1, routes: Array.from({ length: 1001 }, () => route) },
      'routing/routing.json: routes: Too big: expected array to have <=1000 items',
    ],
    [
      'route alarmName empty',
      { version: 1, routes: [{ alarmName: '' }] },
      'routing/routing.json: routes.0.alarmName: Too small: expected string to have >=1 characters',
    ],
    [
      'route cluster bad',
      { version: 1, routes: [{ alarmName: 'a', cluster: 'a b' }] },
      'routing/routing.json: routes.0.cluster: Invalid string: must match pattern /^[A-Za-z0-9_-]{1,255}$/',
    ],
    [
      'route service without cluster',
      { version: 1, routes: [{ alarmName: 'a', service: 's' }] },
      'routing/routing.json: routes.0.service: a route with a service needs its cluster',
    ],
    [
      'route maxTasks frac',
      { version: 1, routes: [{ ...route, maxTasks: 2.5 }] },
      'routing/routing.json: routes.0.maxTasks: Invalid input: expected int, received number',
    ],
    [
      'route unknown',
      { version: 1, routes: [{ ...route, x: 1 }] },
      'routing/routing.json: routes.0: Unrecognized key: "x"',
    ],
    [
      'metric route script missing',
      { version: 1, routes: [], metricRoutes: [{ metricName: 'CPU*' }] },
      'routing/routing.json: metricRoutes.0.script: Invalid input: expected string, received undefined',
    ],
    [
      'metric route namespace empty',
      { version: 1, routes: [], metricRoutes: [{ metricName: 'CPU*', namespace: '', script: 'cpu' }] },
      'routing/routing.json: metricRoutes.0.namespace: Too small: expected string to have >=1 characters',
    ],
    [
      'file unknown',
      { version: 1, routes: [], extra: true },
      'routing/routing.json: file: Unrecognized key: "extra"',
    ],
  ])('routing file: %s', (_name, input, message) => {
    expect(messageOf(() => parseRoutingTable(input), ConfigurationError)).toBe(message);
  });

  it('fills the defaults of a request and its alarm', () => {
    expect(parseRequest({ ...ok, source: 'schedule' })).toEqual({ ...ok, source: { type: 'schedule' } });
    expect(parseRequest({ alarm: { name: 'cpu-high' } })).toEqual({
      alarm: { name: 'cpu-high', type: 'metric', metrics: [] },
      source: { type: 'manual' },
    });
  });
});
