/**
 * Which catalog script a run gets, and why. Order (highest first): the request's `script`, the alarm's
 * `ecs-diagnostics:script` tag, a routing-file route matching the alarm name, a metric route matching one of
 * the alarm's metrics, DEFAULT_SCRIPT. Pure, so start-run (cooldown key), resolve-targets and the dry run
 * agree; only resolve-targets and `dry-run --resolve` know the tags and a composite's children.
 */
import type { MetricRouteMatch, RouteMatch } from './routing.ts';

/** The chosen script and a one-line reason naming its source. */
export interface ScriptChoice {
  script: string;
  source: 'request' | 'tag' | 'route' | 'metric' | 'default';
  reason: string;
}

/** What the script may come from. */
export interface ScriptSources {
  request?: string | undefined;
  tag?: string | undefined;
  route?: RouteMatch | undefined;
  metric?: MetricRouteMatch | undefined;
  defaultScript: string;
  /** The alarm's metrics, for the reason when none matched (`namespace/metricName`). */
  metrics?: readonly string[];
}

/** Applies the order above. */
export function chooseScript(sources: ScriptSources): ScriptChoice {
  if (sources.request !== undefined) {
    return { script: sources.request, source: 'request', reason: 'the request names it (script)' };
  }
  if (sources.tag !== undefined) {
    return { script: sources.tag, source: 'tag', reason: "the alarm's ecs-diagnostics:script tag" };
  }
  const route = sources.route;
  if (route?.route.script !== undefined) {
    return {
      script: route.route.script,
      source: 'route',
      reason: `routing/routing.json routes[${route.index}] (alarmName ${JSON.stringify(route.route.alarmName)})`,
    };
  }
  const metric = sources.metric;
  if (metric !== undefined) {
    return {
      script: metric.route.script,
      source: 'metric',
      reason: `routing/routing.json metricRoutes[${metric.index}]: the alarm's metric ${metric.metric} matches ${JSON.stringify(metric.route.metricName)}`,
    };
  }
  const seen = sources.metrics?.length ? ` (metrics: ${sources.metrics.slice(0, 5).join(', ')})` : '';
  return {
    script: sources.defaultScript,
    source: 'default',
    reason: `DEFAULT_SCRIPT: no request script, tag, alarm-name route or metric route applies${seen}`,
  };
}

/** `namespace/metricName` of each metric that names one (for reasons). */
export function metricLabels(
  metrics: readonly { namespace?: string | undefined; metricName?: string | undefined }[],
): string[] {
  return metrics
    .filter((m) => m.metricName !== undefined)
    .map((m) => `${m.namespace ?? '?'}/${m.metricName}`);
}
