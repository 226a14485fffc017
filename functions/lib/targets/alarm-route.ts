/**
 * From a request to Locations, with CloudWatch where the alarm event alone cannot say.
 *
 * Precedence (highest first), per field:
 *  1. the request's own fields (manual and scheduled runs; start-run copies an alarm's single ECS
 *     location into them);
 *  2. the alarm's metric dimensions (metric-math alarms: every metricStat entry);
 *  3. for composite alarms: the dimensions of their children that are in ALARM (DescribeAlarms,
 *     nested composites followed down to MAX_DEPTH);
 *  4. the alarm's tags ecs-diagnostics:cluster / :service / :container / :script (as the alarm event carried
 *     them with tag propagation on, else ListTagsForResource);
 *  5. the routing file (alarm name pattern);
 *  6. for the script only: the routing file's metric routes (the alarm's metric, or a composite's children's);
 *  7. defaults (DEFAULT_SCRIPT, automatic container choice).
 * A cluster and its service always come from the same source; container and script fall through the
 * list independently (a tag's script applies to a location found through dimensions).
 */
import {
  type CloudWatchClient,
  type CompositeAlarm,
  DescribeAlarmsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { describeError } from '../errors.ts';
import type { AlarmMetric, DiagnosticsRequest, RequestAlarm } from '../request.ts';
import { type AlarmTags, listAlarmTags } from './alarm-tags.ts';
import { dedupeLocations, type Location, locationsFromMetrics, MAX_LOCATIONS } from './location.ts';
import { matchMetricRoute, matchRoute, type RouteMatch, type RoutingTable } from './routing.ts';
import { chooseScript, metricLabels } from './script-choice.ts';

const MAX_DEPTH = 3;

/** What routing found, and the notes that explain gaps (for the manifest and the dry run). */
export interface RouteResult {
  locations: Location[];
  /** The script from the request, tags or routing file; undefined = DEFAULT_SCRIPT. */
  script?: string;
  /** Why this script (or why DEFAULT_SCRIPT): for the dry run. */
  scriptReason: string;
  container?: string;
  maxTasks?: number;
  notes: string[];
}

/** Dimensions of a MetricAlarm from DescribeAlarms (single metric or metric math). */
export function metricsOfMetricAlarm(alarm: MetricAlarm): AlarmMetric[] {
  const toRecord = (dimensions: { Name?: string; Value?: string }[] | undefined) =>
    Object.fromEntries(
      (dimensions ?? [])
        .filter((d): d is { Name: string; Value: string } => d.Name !== undefined && d.Value !== undefined)
        .map((d) => [d.Name, d.Value]),
    );
  if (alarm.Metrics !== undefined && alarm.Metrics.length > 0) {
    return alarm.Metrics.filter((query) => query.MetricStat?.Metric !== undefined).map((query) => ({
      id: query.Id,
      namespace: query.MetricStat?.Metric?.Namespace,
      metricName: query.MetricStat?.Metric?.MetricName,
      dimensions: toRecord(query.MetricStat?.Metric?.Dimensions),
    }));
  }
  return [
    { namespace: alarm.Namespace, metricName: alarm.MetricName, dimensions: toRecord(alarm.Dimensions) },
  ];
}

/**
 * The children of a composite alarm that are in ALARM, with their full configuration. DescribeAlarms with
 * ChildrenOfAlarmName accepts only MaxRecords/NextToken besides and returns names and states only, so the
 * children in ALARM are described again by name (up to 100 names per call).
 */
async function childrenInAlarm(
  cloudwatch: CloudWatchClient,
  name: string,
): Promise<{ metric: MetricAlarm[]; composite: CompositeAlarm[]; total: number }> {
  const names: string[] = [];
  let total = 0;
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(
      new DescribeAlarmsCommand({ ChildrenOfAlarmName: name, MaxRecords: 100, NextToken: nextToken }),
    );
    for (const child of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      total += 1;
      if (child.StateValue === 'ALARM' && child.AlarmName !== undefined) names.push(child.AlarmName);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);

  const metric: MetricAlarm[] = [];
  const composite: CompositeAlarm[] = [];
  for (let start = 0; start < names.length; start += 100) {
    let detailsToken: string | undefined;
    do {
      const page = await cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: names.slice(start, start + 100),
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken: detailsToken,
        }),
      );
      metric.push(...(page.MetricAlarms ?? []));
      composite.push(...(page.CompositeAlarms ?? []));
      detailsToken = page.NextToken;
    } while (detailsToken !== undefined);
  }
  return { metric, composite, total };
}

/**
 * Locations of a composite alarm: the dimensions of its children in ALARM, following nested composite
 * children in ALARM down to MAX_DEPTH levels. The children's metrics are appended to `metrics` (for the
 * metric routes).
 */
export async function locationsOfComposite(
  cloudwatch: CloudWatchClient,
  name: string,
  notes: string[],
  depth = 1,
  visited: Set<string> = new Set(),
  metrics: AlarmMetric[] = [],
): Promise<Location[]> {
  visited.add(name);
  const { metric, composite, total } = await childrenInAlarm(cloudwatch, name);
  const locations: Location[] = [];
  for (const child of metric) {
    if (child.StateValue !== 'ALARM' || child.AlarmName === undefined) continue;
    const childMetrics = metricsOfMetricAlarm(child);
    metrics.push(...childMetrics);
    const found = locationsFromMetrics(childMetrics, `child alarm ${child.AlarmName}`);
    if (found.length === 0)
      notes.push(`child alarm ${JSON.stringify(child.AlarmName)} has no ECS dimensions`);
    locations.push(...found);
  }
  for (const child of composite) {
    if (child.StateValue !== 'ALARM' || child.AlarmName === undefined || visited.has(child.AlarmName))
      continue;
    if (depth >= MAX_DEPTH) {
      notes.push(
        `composite child ${JSON.stringify(child.AlarmName)} is nested deeper than ${MAX_DEPTH} levels`,
      );
      continue;
    }
    locations.push(
      ...(await locationsOfComposite(cloudwatch, child.AlarmName, notes, depth + 1, visited, metrics)),
    );
  }
  if (total === 0) notes.push(`composite alarm ${JSON.stringify(name)} has no children`);
  else if (metric.length + composite.length === 0)
    notes.push(`no child of ${JSON.stringify(name)} is in ALARM now`);
  return locations;
}

/** True when a location names a cluster and nothing narrower (no service, family or task). */
function clusterOnly(location: Location): boolean {
  return !location.service && !location.family && !location.tasks && !location.preferredTaskId;
}

/**
 * Drops cluster-only locations of a cluster that another location names more narrowly (a metric-math
 * alarm over a service metric and its cluster's total): the narrower one says where to look.
 */
function withoutSubsumed(locations: Location[]): Location[] {
  const clusterOf = (location: Location) => location.cluster.split('/').pop();
  return locations.filter(
    (location) =>
      !clusterOnly(location) ||
      !locations.some((other) => !clusterOnly(other) && clusterOf(other) === clusterOf(location)),
  );
}

/** Fills the service of a location that names only a cluster, from tags or a route naming the same cluster. */
function completeService(location: Location, tags: AlarmTags, route: RouteMatch | undefined): Location {
  if (location.service || location.family || location.tasks || location.preferredTaskId) return location;
  const cluster = location.cluster.split('/').pop();
  if (tags.service !== undefined && (tags.cluster === undefined || tags.cluster === cluster)) {
    return { ...location, service: tags.service, origin: `${location.origin} + tags` };
  }
  const routed = route?.route;
  if (routed?.service !== undefined && routed.cluster === cluster) {
    return { ...location, service: routed.service, origin: `${location.origin} + routing[${route?.index}]` };
  }
  return location;
}

/** Alarm dimension hints (TaskId, family, container) that belong to the request's own cluster/service. */
function hintsForRequest(request: DiagnosticsRequest, alarm: RequestAlarm | undefined): Location[] {
  if (alarm === undefined || request.cluster === undefined) return [];
  const cluster = request.cluster.split('/').pop();
  return locationsFromMetrics(alarm.metrics).filter(
    (hint) =>
      hint.cluster === cluster &&
      (request.service === undefined ||
        hint.service === undefined ||
        request.service.split('/').pop() === hint.service),
  );
}

/** The location the request's own fields name, with any alarm hints for the same place. */
function locationFromRequest(request: DiagnosticsRequest & { cluster: string }): Location {
  const location: Location = { cluster: request.cluster, origin: 'request' };
  if (request.service !== undefined) location.service = request.service;
  if (request.tasks !== undefined) location.tasks = request.tasks;
  if (request.container !== undefined) location.container = request.container;
  const hint = hintsForRequest(request, request.alarm)[0];
  if (hint !== undefined && request.tasks === undefined) {
    if (hint.preferredTaskId !== undefined) location.preferredTaskId = hint.preferredTaskId;
    if (hint.family !== undefined && request.service === undefined) location.family = hint.family;
    if (hint.container !== undefined && location.container === undefined) location.container = hint.container;
  }
  return location;
}

/**
 * Works out where to look for a request, in the precedence order above. CloudWatch is asked only when the
 * request carries an alarm: DescribeAlarms for composites without a located cluster, and
 * ListTagsForResource when the alarm has an ARN and its event did not carry its tags (tags may supply the
 * script or container).
 */
export async function routeRequest(
  request: DiagnosticsRequest,
  deps: { cloudwatch: CloudWatchClient; routing: RoutingTable },
): Promise<RouteResult> {
  const notes: string[] = [];
  const alarm = request.alarm;
  const alarmName = alarm?.name ?? request.source.alarmName;
  let locations: Location[] = [];
  const childMetrics: AlarmMetric[] = [];

  if (request.cluster !== undefined) {
    locations = [locationFromRequest({ ...request, cluster: request.cluster })];
  } else if (alarm !== undefined) {
    locations = locationsFromMetrics(alarm.metrics);
    if (locations.length === 0 && alarm.type === 'composite') {
      try {
        locations = await locationsOfComposite(
          deps.cloudwatch,
          alarm.name,
          notes,
          1,
          new Set(),
          childMetrics,
        );
      } catch (error) {
        const { name, message } = describeError(error);
        notes.push(`DescribeAlarms for the children of the composite alarm failed: ${name}: ${message}`);
      }
    }
  }

  let tags: AlarmTags = alarm?.tags ?? {};
  const alarmArn = alarm?.arn ?? request.source.alarmArn;
  if (alarm?.tags === undefined && alarmArn !== undefined) {
    try {
      tags = await listAlarmTags(deps.cloudwatch, alarmArn);
    } catch (error) {
      const { name, message } = describeError(error);
      notes.push(`ListTagsForResource on the alarm failed (tags not used): ${name}: ${message}`);
    }
  }
  if (locations.length === 0 && tags.cluster !== undefined) {
    const location: Location = { cluster: tags.cluster, origin: 'tags' };
    if (tags.service !== undefined) location.service = tags.service;
    locations = [location];
  }

  const route: RouteMatch | undefined =
    alarmName === undefined ? undefined : matchRoute(deps.routing, alarmName);
  if (locations.length === 0 && route?.route.cluster !== undefined) {
    const location: Location = { cluster: route.route.cluster, origin: `routing[${route.index}]` };
    if (route.route.service !== undefined) location.service = route.route.service;
    locations = [location];
  }

  // A cluster-level alarm (ClusterName only) takes its service from the tags or the route of the same cluster.
  locations = locations.map((location) => completeService(location, tags, route));
  locations = withoutSubsumed(dedupeLocations(locations));
  if (locations.length > MAX_LOCATIONS) {
    notes.push(
      `the alarm names ${locations.length} ECS locations; only the first ${MAX_LOCATIONS} are diagnosed`,
    );
    locations = locations.slice(0, MAX_LOCATIONS);
  }

  const metrics = [...(alarm?.metrics ?? []), ...childMetrics];
  const choice = chooseScript({
    request: request.script,
    tag: tags.script,
    route,
    metric: matchMetricRoute(deps.routing, metrics),
    defaultScript: '',
    metrics: metricLabels(metrics),
  });
  const result: RouteResult = { locations, notes, scriptReason: choice.reason };
  if (choice.source !== 'default') result.script = choice.script;
  const container = tags.container ?? route?.route.container;
  if (container !== undefined) result.container = container;
  if (route?.route.maxTasks !== undefined) result.maxTasks = route.route.maxTasks;
  return result;
}
