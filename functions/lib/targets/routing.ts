/**
 * The routing file (routing/routing.json): for alarms whose metrics carry no ECS dimensions and that
 * have no ecs-diagnostics:* tags, an alarm name pattern says which cluster/service/container/script;
 * `metricRoutes` say which script an alarm's metric gets by default (CPU → cpu, memory → memory, ...).
 * Patterns are globs (`*` any run of characters, `?` one character) matched against the whole name:
 * no regular expressions, so a pattern cannot be slow. The first matching route wins.
 */
import { z } from 'zod';
import { isCatalogScript } from '../catalog.ts';
import { ConfigurationError } from '../errors.ts';

const NAME = /^[A-Za-z0-9_-]{1,255}$/;

const routeSchema = z
  .object({
    alarmName: z.string().min(1).max(255),
    cluster: z.string().regex(NAME).optional(),
    service: z.string().regex(NAME).optional(),
    container: z.string().regex(NAME).optional(),
    script: z.string().refine(isCatalogScript, { message: 'is not a script of the catalog' }).optional(),
    maxTasks: z.number().int().min(1).max(50).optional(),
    comment: z.string().optional(),
  })
  .strict()
  .refine((route) => route.service === undefined || route.cluster !== undefined, {
    message: 'a route with a service needs its cluster',
    path: ['service'],
  });

const metricRouteSchema = z
  .object({
    metricName: z.string().min(1).max(255),
    namespace: z.string().min(1).max(255).optional(),
    script: z.string().refine(isCatalogScript, { message: 'is not a script of the catalog' }),
    comment: z.string().optional(),
  })
  .strict();

const tableSchema = z
  .object({
    $schema: z.string().optional(),
    comment: z.string().optional(),
    version: z.literal(1),
    routes: z.array(routeSchema).max(1000),
    metricRoutes: z.array(metricRouteSchema).max(1000).optional(),
  })
  .strict();

/** One route of the routing file. */
export type Route = z.infer<typeof routeSchema>;
/** One metric route: a metric name (and optionally namespace) pattern and the script it gets. */
export type MetricRoute = z.infer<typeof metricRouteSchema>;
/** The parsed routing file. */
export type RoutingTable = z.infer<typeof tableSchema>;

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
