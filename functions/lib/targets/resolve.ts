/**
 * resolve-targets' domain: request → locations → tasks → preflight → sampled tasks → containers → targets.
 * The output stays small: targets and skipped entries, never task descriptions. The steps live in
 * alarm-route.ts / sweep.ts (where to look), candidates.ts (which tasks), location-targets.ts (which
 * containers) and skipped-entries.ts (what was left out and why).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { catalogScriptNames, isCatalogScript } from '../catalog.ts';
import type { ResolvedTargets, SkippedTarget, Target } from '../contracts.ts';
import { describeError, InvalidRequestError } from '../errors.ts';
import type { LeftOutTask } from '../manifest.ts';
import { type DiagnosticsRequest, MAX_CONCURRENCY, MAX_RUN_TARGETS } from '../request.ts';
import { lastArnSegment, runPrefix } from '../s3-keys.ts';
import { routeRequest } from './alarm-route.ts';
import { describeForCluster, type PreparedLocation, prepareLocation } from './candidates.ts';
import { checkName } from './ecs-names.ts';
import { taskDefinitionReader } from './ecs-tasks.ts';
import type { Location } from './location.ts';
import { type LocationOptions, resolveLocation } from './location-targets.ts';
import type { RoutingTable } from './routing.ts';
import { LOCATION_ERRORS, locationSkipped } from './skipped-entries.ts';
import { isSweep, routeSweep } from './sweep.ts';

/** resolve-targets' configuration. */
export interface ResolveConfig {
  allowedClusters: readonly string[];
  defaultMaxTasks: number;
  defaultScript: string;
  routing: RoutingTable;
}

/** resolve-targets' clients. */
export interface ResolveClients {
  ecs: ECSClient;
  cloudwatch: CloudWatchClient;
}

/** Most targets of one run (the documented bound on a sweep's total; maxTasks applies per service). */
export const MAX_TARGETS = MAX_RUN_TARGETS;
/** Most left-out tasks listed per run (all are counted in `leftOutCount`). */
export const MAX_LEFT_OUT_LISTED = 50;

/** Where to look, whichever way it was found (an alarm's route or a sweep). */
interface Routed {
  locations: Location[];
  notes: string[];
  script?: string;
  container?: string;
  maxTasks?: number;
}

/** The routed script, checked against the catalog (tags and the routing file are not validated upstream). */
function checkedScript(routed: Routed, config: ResolveConfig): string {
  const script = routed.script ?? config.defaultScript;
  if (!isCatalogScript(script)) {
    throw new InvalidRequestError(
      'script',
      `${JSON.stringify(script.slice(0, 100))} (from the alarm's tags or the routing file) is not a catalog script (${catalogScriptNames().join(', ')})`,
    );
  }
  return script;
}

/**
 * The routed locations grouped by cluster, those outside ALLOWED_CLUSTERS and those with malformed names
 * left out (as skipped entries; a malformed name fails a single-location request). The name errors are
 * appended to `failures`.
 */
function allowedByCluster(
  locations: readonly Location[],
  allowed: readonly string[],
  skipped: SkippedTarget[],
  failures: unknown[],
): Map<string, Location[]> {
  const several = locations.length > 1;
  const byCluster = new Map<string, Location[]>();
  for (const location of locations) {
    const cluster = lastArnSegment(location.cluster);
    try {
      checkName(location.cluster, 'cluster');
      if (location.service !== undefined) checkName(location.service, 'service');
    } catch (error) {
      if (!several) throw error;
      failures.push(error);
      skipped.push(locationSkipped(location, error));
      continue;
    }
    if (allowed.length > 0 && !allowed.includes(cluster)) {
      skipped.push({
        cluster,
        reason: `cluster is not in this stack's TargetClusterNames (${allowed.join(', ')}): add it to the TargetClusterNames deploy parameter and redeploy`,
      });
      continue;
    }
    byCluster.set(location.cluster, [...(byCluster.get(location.cluster) ?? []), location]);
  }
  return byCluster;
}

/**
 * Resolves a validated request to the targets of the run. Throws InvalidRequestError for a request that
 * names nothing resolvable or a cluster outside ALLOWED_CLUSTERS; ECS errors pass through by name.
 */
export async function resolveTargets(
  request: DiagnosticsRequest,
  run: { executionName: string; startTime: Date },
  clients: ResolveClients,
  config: ResolveConfig,
): Promise<ResolvedTargets & { notes?: string[] }> {
  const allowed = config.allowedClusters;
  const skipped: SkippedTarget[] = [];
  const routed: Routed = isSweep(request)
    ? await routeSweep(request, clients.ecs, allowed, skipped)
    : await routeRequest(request, { cloudwatch: clients.cloudwatch, routing: config.routing });
  const script = checkedScript(routed, config);
  if (routed.container !== undefined) checkName(routed.container, 'container');
  if (routed.locations.length === 0 && !isSweep(request)) {
    const why = routed.notes.length > 0 ? ` (${routed.notes.join('; ')})` : '';
    throw new InvalidRequestError(
      'cluster',
      `no ECS cluster found for alarm ${JSON.stringify((request.alarm?.name ?? '').slice(0, 255))}: its metrics have no ECS ClusterName dimension (AWS/ECS, ECS/ContainerInsights or a custom namespace), it has no ecs-diagnostics:cluster tag and no routing/routing.json route matches${why}; add one of them or pass cluster in the request`,
    );
  }

  const targets: Target[] = [];
  const leftOut: LeftOutTask[] = [];
  const several = routed.locations.length > 1;
  const failures: unknown[] = [];
  const byCluster = allowedByCluster(routed.locations, allowed, skipped, failures);
  if (byCluster.size === 0 && !isSweep(request) && failures.length === 0) {
    throw new InvalidRequestError(
      'cluster',
      `${routed.locations.map((l) => JSON.stringify(lastArnSegment(l.cluster))).join(', ')} not in this stack's TargetClusterNames (${allowed.join(', ')}); diagnostics may only run there: add the cluster to the TargetClusterNames deploy parameter and redeploy`,
    );
  }
  const options: LocationOptions = {
    maxTasks: request.maxTasks ?? routed.maxTasks ?? config.defaultMaxTasks,
    script,
    definitions: taskDefinitionReader(clients.ecs),
  };
  if (request.container !== undefined) options.containerOverride = request.container;
  if (routed.container !== undefined) options.containerFallback = routed.container;
  // One bad location of a multi-metric alarm (a wrong ClusterName, a deleted service) must not cost the
  // others their diagnostics; transient errors still fail the state for its retry.
  const tolerate = (location: Location, error: unknown) => {
    if (!several || !LOCATION_ERRORS.has(describeError(error).name)) throw error;
    failures.push(error);
    skipped.push(locationSkipped(location, error));
  };
  for (const [cluster, locations] of byCluster) {
    const prepared: PreparedLocation[] = [];
    for (const location of locations) {
      try {
        prepared.push(await prepareLocation(clients.ecs, location));
      } catch (error) {
        tolerate(location, error);
      }
    }
    let described: Awaited<ReturnType<typeof describeForCluster>>;
    try {
      described = await describeForCluster(clients.ecs, cluster, prepared);
    } catch (error) {
      for (const entry of prepared) tolerate(entry.location, error);
      continue;
    }
    for (const entry of prepared) {
      try {
        const result = await resolveLocation(entry, described, options);
        targets.push(...result.targets);
        skipped.push(...result.skipped);
        leftOut.push(...result.leftOut);
      } catch (error) {
        tolerate(entry.location, error);
      }
    }
  }
  if (failures.length > 0 && failures.length === routed.locations.length) throw failures[0];
  if (isSweep(request) && targets.length === 0) {
    const reasons = skipped.slice(0, 5).map((entry) => `${entry.cluster}: ${entry.reason}`);
    throw new InvalidRequestError(
      'request',
      `the sweep resolved to no container to diagnose${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`,
    );
  }

  if (targets.length > MAX_TARGETS) {
    const dropped = targets.splice(MAX_TARGETS);
    skipped.push({
      cluster: dropped[0]?.cluster ?? '',
      reason: `${dropped.length} more containers left out: a run diagnoses at most ${MAX_TARGETS} (maxTasks applies per service)`,
    });
  }
  const resolved: ResolvedTargets & { notes?: string[] } = {
    run: { executionName: run.executionName, prefix: runPrefix(run.startTime, run.executionName) },
    targets,
    skipped,
    maxConcurrency: request.maxConcurrency ?? MAX_CONCURRENCY.fallback,
    leftOut: leftOut.slice(0, MAX_LEFT_OUT_LISTED),
    leftOutCount: leftOut.length,
  };
  const alarmName = request.source.alarmName ?? request.alarm?.name;
  if (alarmName !== undefined) resolved.run.alarmName = alarmName;
  if (routed.notes.length > 0) resolved.notes = routed.notes.slice(0, 10);
  return resolved;
}
