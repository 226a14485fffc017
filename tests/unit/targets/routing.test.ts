import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '#lib/errors.ts';
import { globMatch, matchRoute, parseRoutingTable } from '#lib/targets/routing.ts';

describe('targets routing', () => {
  it('validates the repository routing file', () => {
    const file = JSON.parse(readFileSync(join(process.cwd(), 'routing', 'routing.json'), 'utf8'));

    expect(() => parseRoutingTable(file)).not.toThrow();
  });

  it('matches whole names with * and ?', () => {
    expect(globMatch('payments-*-cpu-?igh', 'payments-prod-checkout-cpu-high')).toBe(true);
    expect(globMatch('payments-*', 'orders-payments-x')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyyc')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyy')).toBe(false);
    expect(globMatch('🚨-*', '🚨-alarm')).toBe(true);
  });

  it('stays fast on a pathological pattern', () => {
    expect(globMatch(`${'*a'.repeat(50)}b`, 'a'.repeat(255))).toBe(false);
  });

  it('returns the first matching route with its index', () => {
    const table = parseRoutingTable({
      version: 1,
      routes: [
        { alarmName: 'orders-*', cluster: 'orders' },
        { alarmName: 'payments-*', cluster: 'payments-prod', service: 'checkout-api', script: 'network' },
        { alarmName: '*', script: 'basic' },
      ],
    });

    expect(matchRoute(table, 'payments-latency')).toEqual({ index: 1, route: table.routes[1] });
    expect(matchRoute(table, 'other')?.index).toBe(2);
  });

  it.each([
    [{ version: 2, routes: [] }, /version/],
    [{ version: 1, routes: [{ alarmName: 'x', cluster: 'bad name' }] }, /routes\.0\.cluster/],
    [
      { version: 1, routes: [{ alarmName: 'x', cluster: 'c', script: 'rm -rf /' }] },
      /routes\.0\.script: is not a script of the catalog/,
    ],
    [
      { version: 1, routes: [{ alarmName: 'x', service: 's' }] },
      /routes\.0\.service: a route with a service needs its cluster/,
    ],
  ])('rejects %j as a ConfigurationError naming the entry', (table, message) => {
    expect(() => parseRoutingTable(table)).toThrow(ConfigurationError);
    expect(() => parseRoutingTable(table)).toThrow(message);
  });
});
