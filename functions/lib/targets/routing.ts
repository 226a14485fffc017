/**
 * The routing file (routing/routing.json): for alarms whose metrics carry no ECS dimensions and that
 * have no ecs-diagnostics:* tags, an alarm name pattern says which cluster/service/container/script;
 * `metricRoutes` say which script an alarm's metric gets by default (CPU → cpu, memory → memory, ...).
 * Patterns are globs (`*` any run of characters, `?` one character) matched against the whole name:
 * no regular expressions, so a pattern cannot be slow. The first matching route wins.
 */
import { isCatalogScript } from '../catalog.ts';
import { ConfigurationError } from '../errors.ts';
import * as z from '../schema.ts';
import { ECS_NAME } from './ecs-names.ts';

/** The routing file's schema (built on the first parse: a bundle carries a table validated at build). */
function buildTableSchema() {
  const nameField = z.string().check(z.regex(ECS_NAME));
  const patternField = z.string().check(z.minLength(1), z.maxLength(255));
  const scriptField = z
    .string()
    .check(z.refine(isCatalogScript, { message: 'is not a script of the catalog' }));

  const routeSchema = z
    .strictObject({
      alarmName: patternField,
      cluster: z.optional(nameField),
      service: z.optional(nameField),
      container: z.optional(nameField),
      script: z.optional(scriptField),
      maxTasks: z.optional(z.number().check(z.int(), z.gte(1), z.lte(50))),
      comment: z.optional(z.string()),
    })
    .check(
      z.refine((route) => route.service === undefined || route.cluster !== undefined, {
        message: 'a route with a service needs its cluster',
        path: ['service'],
      }),
    );

  const metricRouteSchema = z.strictObject({
    metricName: patternField,
    namespace: z.optional(patternField),
    script: scriptField,
    comment: z.optional(z.string()),
  });

  return z.strictObject({
    $schema: z.optional(z.string()),
    comment: z.optional(z.string()),
    version: z.literal(1),
    routes: z.array(routeSchema).check(z.maxLength(1000)),
    metricRoutes: z.optional(z.array(metricRouteSchema).check(z.maxLength(1000))),
  });
}

let tableSchema: ReturnType<typeof buildTableSchema> | undefined;

/** The parsed routing file. */
export type RoutingTable = z.infer<ReturnType<typeof buildTableSchema>>;
/** One route of the routing file. */
export type Route = RoutingTable['routes'][number];
/** One metric route: a metric name (and optionally namespace) pattern and the script it gets. */
export type MetricRoute = NonNullable<RoutingTable['metricRoutes']>[number];

/** A route that matched, with its position (for the "why" in logs and the dry run). */
export interface RouteMatch {
  index: number;
  route: Route;
}

/** A metric route that matched, with its position and the metric (`namespace/metricName`) it matched. */
export interface MetricRouteMatch {
  index: number;
  route: MetricRoute;
  metric: string;
}

/** Validates the routing file; a bad file is a ConfigurationError naming the entry. */
export function parseRoutingTable(value: unknown, source = 'routing/routing.json'): RoutingTable {
  tableSchema ??= buildTableSchema();
  const result = tableSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  throw new ConfigurationError(`${source}: ${where || 'file'}: ${issue?.message ?? 'invalid routing file'}`);
}

/** True when `name` matches the glob `pattern` as a whole (`*` any run, `?` one character). */
export function globMatch(pattern: string, name: string): boolean {
  // Iterative wildcard matching with one backtrack point: linear in practice, no regex.
  const p = Array.from(pattern);
  const s = Array.from(name);
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      pi += 1;
      si += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      mark = si;
      pi += 1;
    } else if (star !== -1) {
      pi = star + 1;
      mark += 1;
      si = mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}

/** The first route whose pattern matches the alarm name, if any. */
export function matchRoute(table: RoutingTable, alarmName: string): RouteMatch | undefined {
  const index = table.routes.findIndex((route) => globMatch(route.alarmName, alarmName));
  const route = table.routes[index];
  return route === undefined ? undefined : { index, route };
}

/**
 * The first metric route (in file order) that matches any of the alarm's metrics: metric-math alarms and
 * composites (their children in ALARM) carry several, so the file's order says which kind of alarm wins.
 */
export function matchMetricRoute(
  table: RoutingTable,
  metrics: readonly { namespace?: string | undefined; metricName?: string | undefined }[],
): MetricRouteMatch | undefined {
  for (const [index, route] of (table.metricRoutes ?? []).entries()) {
    for (const metric of metrics) {
      if (metric.metricName === undefined || !globMatch(route.metricName, metric.metricName)) continue;
      if (route.namespace !== undefined && !globMatch(route.namespace, metric.namespace ?? '')) continue;
      return { index, route, metric: `${metric.namespace ?? '?'}/${metric.metricName}` };
    }
  }
  return undefined;
}
