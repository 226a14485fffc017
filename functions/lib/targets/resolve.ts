/**
 * resolve-targets' domain: request → locations → tasks → preflight → sampled tasks → containers → targets.
 * The output stays small: targets and skipped entries, never task descriptions.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECSClient, Failure, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { catalogScriptNames, isCatalogScript } from '../catalog.ts';
import type { ResolvedTargets, SkippedTarget, Target } from '../contracts.ts';
import { describeError, InvalidRequestError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { LeftOutTask, ReadinessCheck } from '../manifest.ts';
import { boundChecks } from '../readiness/checks.ts';
import { taskChecks } from '../readiness/task.ts';
import { type DiagnosticsRequest, MAX_CONCURRENCY, MAX_RUN_TARGETS, parseRequest } from '../request.ts';
import { lastArnSegment, runPrefix } from '../s3-keys.ts';
import { routeRequest } from './alarm-route.ts';
import { describeTasks, listTaskArns, taskDefinitionReader } from './ecs-tasks.ts';
import type { Location } from './location.ts';
import type { RoutingTable } from './routing.ts';
import { chooseContainers, preflightTask, sampleTasks, taskIdOf } from './selection.ts';
import { isSweep, sweepClusters, sweepLocations } from './sweep.ts';

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

/** The state input of ResolveTargets. */
export interface ResolveInput {
  request: unknown;
  execution: { name: string; startTime: string };
}

/** Most targets of one run (the documented bound on a sweep's total; maxTasks applies per service). */
export const MAX_TARGETS = MAX_RUN_TARGETS;
/** Most bytes of readiness findings on one skipped entry (they travel in state). */
const SKIPPED_READINESS_BYTES = 2048;
/** Most skipped entries listed per location; the rest are summarised in one entry. */
const MAX_SKIPPED_PER_LOCATION = 20;
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** A task id as ECS issues them (32 hex digits, or the older UUID form). */
const TASK_ID = /^(?:[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$/;

/** Validates the state input around the request (the request itself is validated by parseRequest). */
export function parseResolveInput(input: unknown): {
  request: DiagnosticsRequest;
  executionName: string;
  startTime: Date;
} {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidRequestError('input', 'must be {request, execution: {name, startTime}}');
  }
  const { request, execution } = input as Partial<ResolveInput>;
  if (typeof execution !== 'object' || execution === null) {
    throw new InvalidRequestError(
      'execution',
      'is missing: pass {name: $$.Execution.Name, startTime: $$.Execution.StartTime}',
    );
  }
  if (typeof execution.name !== 'string' || !/^[^\s]{1,80}$/.test(execution.name)) {
    throw new InvalidRequestError(
      'execution.name',
      'must be the execution name (1 to 80 characters, no whitespace)',
    );
  }
  const startTime = new Date(typeof execution.startTime === 'string' ? execution.startTime : Number.NaN);
  if (Number.isNaN(startTime.getTime())) {
    throw new InvalidRequestError(
      'execution.startTime',
      'must be an ISO 8601 timestamp ($$.Execution.StartTime)',
    );
  }
  return { request: parseRequest(request), executionName: execution.name, startTime };
}

function checkName(value: string, field: string): void {
  if (!ECS_NAME.test(lastArnSegment(value))) {
    throw new InvalidRequestError(
      field,
      `${JSON.stringify(value.slice(0, 100))} is not a valid ECS name ([A-Za-z0-9_-], up to 255)`,
    );
  }
}

/** Candidate tasks of one location: the explicit list, a service's or family's tasks, or the TaskId alone. */
async function candidateTasks(ecs: ECSClient, location: Location): Promise<string[]> {
  if (location.tasks !== undefined) return location.tasks;
  let arns: string[] = [];
  if (location.service !== undefined || location.family !== undefined) {
    const query: { cluster: string; service?: string; family?: string } = { cluster: location.cluster };
    if (location.service !== undefined) query.service = location.service;
    if (location.family !== undefined) query.family = location.family;
    arns = await listTaskArns(ecs, query);
  }
  const preferred = location.preferredTaskId;
  if (preferred !== undefined && !arns.some((arn) => taskIdOf(arn) === preferred)) arns.unshift(preferred);
  if (arns.length === 0 && location.service === undefined && location.family === undefined) {
    throw new InvalidRequestError(
      'service',
      `${location.origin} names cluster ${JSON.stringify(location.cluster)} but no service, tasks or task family; add a ServiceName dimension, an ecs-diagnostics:service tag, a routing route with a service, or pass service in the request`,
    );
  }
  return arns;
}

/** The cheap, task-level readiness findings for a skipped task (no AWS call beyond its task definition). */
async function skippedReadiness(
  task: Task,
  definitions: (arn: string) => Promise<TaskDefinition | undefined>,
  container?: string,
): Promise<ReadinessCheck[]> {
  let definition: TaskDefinition | undefined;
  if (task.taskDefinitionArn !== undefined) {
    try {
      definition = await definitions(task.taskDefinitionArn);
    } catch {
      // The checks that need it say "not checked".
    }
  }
  return boundChecks(
    taskChecks({
      task,
      ...(definition !== undefined ? { definition } : {}),
      ...(container !== undefined ? { container } : {}),
    }),
    SKIPPED_READINESS_BYTES,
  );
}

/** A skipped entry with the task-level readiness findings, when the task could be described. */
type SkippedWithReadiness = SkippedTarget & { readiness?: ReadinessCheck[] };

interface LocationResult {
  targets: Target[];
  skipped: SkippedWithReadiness[];
  leftOut: LeftOutTask[];
}

/** Most left-out tasks listed per run (all are counted in `leftOutCount`). */
export const MAX_LEFT_OUT_LISTED = 50;

/** The alarm-dimension hints of a location, their names, and the form ECS accepts for each. */
const HINTS = [
  { key: 'preferredTaskId', dimension: 'TaskId', pattern: TASK_ID, what: 'an ECS task id' },
  { key: 'container', dimension: 'ContainerName', pattern: ECS_NAME, what: 'an ECS container name' },
  {
    key: 'family',
    dimension: 'TaskDefinitionFamily',
    pattern: ECS_NAME,
    what: 'an ECS task definition family',
  },
] as const;

/**
 * Drops dimension hints that cannot be what they claim (custom metrics carry any text): ECS fails a whole
 * DescribeTasks or ListTasks call on one malformed identifier, and the text would reach the manifest.
 */
function withoutMalformedHints(location: Location): { location: Location; skipped: string[] } {
  const checked: Location = { ...location };
  const skipped: string[] = [];
  for (const hint of HINTS) {
    const value = checked[hint.key];
    if (value === undefined || hint.pattern.test(value)) continue;
    delete checked[hint.key];
    skipped.push(
      `the ${hint.dimension} dimension ${JSON.stringify(value.slice(0, 64))} is not ${hint.what}; ignored`,
    );
  }
  return { location: checked, skipped };
}

/** A location with its candidate task ARNs (listed) and what the hint checks left out. */
interface PreparedLocation {
  location: Location;
  arns: string[];
  skipped: SkippedTarget[];
}

async function prepareLocation(ecs: ECSClient, raw: Location): Promise<PreparedLocation> {
  const cluster = lastArnSegment(raw.cluster);
  const checked = withoutMalformedHints(raw);
  const skipped: SkippedTarget[] = checked.skipped.map((reason) => ({ cluster, reason }));
  return { location: checked.location, arns: await candidateTasks(ecs, checked.location), skipped };
}

/**
 * DescribeTasks for every location of one cluster at once, 100 tasks per call whatever the number of
 * services: a sweep of 1000 tasks over 50 services costs 10 calls, not 50.
 */
async function describeForCluster(
  ecs: ECSClient,
  cluster: string,
  prepared: readonly PreparedLocation[],
): Promise<{ tasks: Map<string, Task>; failures: Map<string, Failure> }> {
  const unique = new Map<string, string>();
  for (const entry of prepared) for (const arn of entry.arns) unique.set(taskIdOf(arn), arn);
  const described =
    unique.size === 0 ? { tasks: [], failures: [] } : await describeTasks(ecs, cluster, [...unique.values()]);
  const tasks = new Map<string, Task>();
  for (const task of described.tasks) tasks.set(taskIdOf(task.taskArn ?? ''), task);
  const failures = new Map<string, Failure>();
  for (const failure of described.failures) failures.set(taskIdOf(failure.arn ?? ''), failure);
  return { tasks, failures };
}

interface LocationOptions {
  maxTasks: number;
  script: string;
  /** The request's container: above everything. */
  containerOverride?: string;
  /** Tags' or routing's container: below the location's own (a ContainerName dimension). */
  containerFallback?: string;
  definitions: (arn: string) => Promise<TaskDefinition | undefined>;
}

async function resolveLocation(
  { location, arns, skipped: hintSkips }: PreparedLocation,
  described: { tasks: Map<string, Task>; failures: Map<string, Failure> },
  options: LocationOptions,
): Promise<LocationResult> {
  const cluster = lastArnSegment(location.cluster);
  const skipped: SkippedWithReadiness[] = [...hintSkips];
  if (arns.length === 0) {
    const what =
      location.service !== undefined ? `service ${location.service}` : `family ${location.family ?? ''}`;
    return {
      targets: [],
      skipped: [
        ...skipped,
        { cluster, reason: `no RUNNING tasks found for ${what} (from ${location.origin})` },
      ],
      leftOut: [],
    };
  }
  const found: Task[] = [];
  for (const arn of arns) {
    const task = described.tasks.get(taskIdOf(arn));
    if (task !== undefined) {
      found.push(task);
      continue;
    }
    const failure = described.failures.get(taskIdOf(arn));
    const entry: SkippedTarget = {
      cluster,
      reason: `DescribeTasks: ${failure?.reason ?? 'MISSING'}${failure?.detail ? ` (${failure.detail})` : ''}`,
    };
    entry.taskArn = failure?.arn ?? arn;
    skipped.push(entry);
  }

  const eligible: Task[] = [];
  for (const task of found) {
    const reason = preflightTask(task, location.service);
    if (reason === undefined) eligible.push(task);
    else
      skipped.push({
        cluster,
        taskArn: task.taskArn ?? '',
        reason,
        readiness: await skippedReadiness(task, options.definitions),
      });
  }
  const explicit = location.tasks !== undefined;
  const sample = explicit ? eligible : sampleTasks(eligible, options.maxTasks, location.preferredTaskId);
  const sampled = new Set(sample.map((task) => task.taskArn));
  const leftOut: LeftOutTask[] = eligible
    .filter((task) => !sampled.has(task.taskArn))
    .map((task) => ({
      cluster,
      ...(location.service === undefined ? {} : { service: lastArnSegment(location.service) }),
      taskArn: task.taskArn ?? '',
      reason: `not sampled: ${sample.length} of ${eligible.length} eligible tasks diagnosed (maxTasks ${options.maxTasks}, spread across zones)`,
    }));

  const targets: Target[] = [];
  const container = options.containerOverride ?? location.container ?? options.containerFallback;
  for (const task of sample) {
    let definition: TaskDefinition | undefined;
    if (container === undefined && task.taskDefinitionArn !== undefined) {
      try {
        definition = await options.definitions(task.taskDefinitionArn);
      } catch (error) {
        logger.warn('task definition unreadable; choosing containers without it', {
          error: describeError(error),
        });
      }
    }
    for (const choice of chooseContainers(task, container, definition)) {
      if ('skipped' in choice) {
        const entry: SkippedWithReadiness = {
          cluster,
          taskArn: task.taskArn ?? '',
          reason: choice.skipped.reason,
          readiness: await skippedReadiness(task, options.definitions, choice.skipped.container),
        };
        if (choice.skipped.container !== undefined) entry.container = choice.skipped.container;
        skipped.push(entry);
        continue;
      }
      const target: Target = {
        cluster,
        taskArn: task.taskArn ?? '',
        container: choice.container.name ?? '',
        script: options.script,
      };
      const service = task.group?.startsWith('service:')
        ? task.group.slice('service:'.length)
        : location.service;
      if (service !== undefined) target.service = lastArnSegment(service);
      if (task.availabilityZone !== undefined) target.az = task.availabilityZone;
      if (choice.container.runtimeId !== undefined) target.runtimeId = choice.container.runtimeId;
      targets.push(target);
    }
  }
  if (skipped.length > MAX_SKIPPED_PER_LOCATION) {
    const more = skipped.length - MAX_SKIPPED_PER_LOCATION;
    skipped.splice(MAX_SKIPPED_PER_LOCATION, more, {
      cluster,
      reason: `and ${more} more tasks or containers skipped`,
    });
  }
  return { targets, skipped, leftOut };
}

/** Errors that concern one location only (its names, its cluster or service): skipped when others remain. */
const LOCATION_ERRORS = new Set([
  'InvalidRequestError',
  'ClusterNotFoundException',
  'ServiceNotFoundException',
  'ServiceNotActiveException',
  'InvalidParameterException',
  'AccessDeniedException',
]);

/** The skipped entry of a location that could not be resolved: its cluster and service as given, and why. */
function locationSkipped(location: Location, error: unknown): SkippedTarget {
  const { name, message } = describeError(error);
  const where =
    location.service === undefined ? '' : ` service ${JSON.stringify(location.service.slice(0, 255))}`;
  return {
    cluster: lastArnSegment(location.cluster).slice(0, 255),
    reason: `location skipped (from ${location.origin}${where}): ${name}: ${message.slice(0, 500)}`,
  };
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
  const routed = isSweep(request)
    ? await routeSweep(request, clients.ecs, allowed, skipped)
    : await routeRequest(request, { cloudwatch: clients.cloudwatch, routing: config.routing });
  const script = routed.script ?? config.defaultScript;
  if (!isCatalogScript(script)) {
    throw new InvalidRequestError(
      'script',
      `${JSON.stringify(script.slice(0, 100))} (from the alarm's tags or the routing file) is not a catalog script (${catalogScriptNames().join(', ')})`,
    );
  }
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
  const definitions = taskDefinitionReader(clients.ecs);
  const byCluster = new Map<string, Location[]>();
  const several = routed.locations.length > 1;
  const failures: unknown[] = [];
  for (const location of routed.locations) {
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
  if (byCluster.size === 0 && !isSweep(request) && failures.length === 0) {
    throw new InvalidRequestError(
      'cluster',
      `${routed.locations.map((l) => JSON.stringify(lastArnSegment(l.cluster))).join(', ')} not in this stack's TargetClusterNames (${allowed.join(', ')}); diagnostics may only run there: add the cluster to the TargetClusterNames deploy parameter and redeploy`,
    );
  }
  const options: LocationOptions = {
    maxTasks: request.maxTasks ?? routed.maxTasks ?? config.defaultMaxTasks,
    script,
    definitions,
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

/** The locations of a sweep: one per service of each allowed cluster; clusters outside the allow-list fail it. */
async function routeSweep(
  request: DiagnosticsRequest,
  ecs: ECSClient,
  allowed: readonly string[],
  skipped: SkippedTarget[],
): Promise<{
  locations: Location[];
  notes: string[];
  script?: string;
  container?: string;
  maxTasks?: number;
}> {
  const clusters = sweepClusters(request);
  for (const cluster of clusters) checkName(cluster, 'clusters');
  const outside = clusters
    .map(lastArnSegment)
    .filter((name) => allowed.length > 0 && !allowed.includes(name));
  if (outside.length > 0) {
    throw new InvalidRequestError(
      request.clusters !== undefined ? 'clusters' : 'cluster',
      `${outside.map((name) => JSON.stringify(name)).join(', ')} not in ALLOWED_CLUSTERS (${allowed.join(', ')}); a sweep may only cover those`,
    );
  }
  const locations: Location[] = [];
  for (const cluster of clusters) {
    const swept = await sweepLocations(ecs, request, cluster);
    locations.push(...swept.locations);
    skipped.push(...swept.skipped);
  }
  return { locations, notes: [], ...(request.script !== undefined ? { script: request.script } : {}) };
}
