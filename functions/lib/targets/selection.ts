/**
 * Pure choices of target resolution: preflight of a task, choice of its containers, and sampling of tasks
 * across availability zones.
 */
import type { Container, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { lastArnSegment } from '../s3-keys.ts';

/** Container names and images of sidecars that are never the application (Service Connect, GuardDuty ...). */
const SIDECAR_NAMES = [
  /^ecs-service-connect-/,
  /^aws-guardduty-agent-/,
  /^~internal~/,
  /^log_router$/,
  /^xray-daemon$/,
  /^aws-otel-collector$/,
  /^envoy$/,
];
const SIDECAR_IMAGES = [
  /ecs-service-connect-agent/,
  /aws-guardduty-agent/,
  /aws-for-fluent-bit/,
  /aws-xray-daemon/,
  /aws-otel-collector/,
  /appmesh-envoy/,
  /aws-appmesh-envoy/,
  /datadog\/agent/,
];

/** True for a known sidecar container. */
export function isSidecar(container: Pick<Container, 'name' | 'image'>): boolean {
  const name = container.name ?? '';
  const image = container.image ?? '';
  return (
    SIDECAR_NAMES.some((pattern) => pattern.test(name)) ||
    SIDECAR_IMAGES.some((pattern) => pattern.test(image))
  );
}

function agentStatus(container: Container): string | undefined {
  return container.managedAgents?.find((agent) => agent.name === 'ExecuteCommandAgent')?.lastStatus;
}

/** The task id of a task ARN or id. */
export function taskIdOf(task: string): string {
  return lastArnSegment(task);
}

/**
 * Why a task cannot be diagnosed at all, or undefined when it can: it must be RUNNING, staying RUNNING, and
 * started with ExecuteCommand enabled.
 */
export function preflightTask(task: Task, service?: string): string | undefined {
  if (task.lastStatus !== 'RUNNING') {
    return `task is ${task.lastStatus ?? 'in an unknown state'}, not RUNNING`;
  }
  if (task.desiredStatus !== undefined && task.desiredStatus !== 'RUNNING') {
    return `task is being stopped (desired status ${task.desiredStatus})`;
  }
  if (task.enableExecuteCommand !== true) {
    const cluster = lastArnSegment(task.clusterArn ?? 'CLUSTER');
    const how =
      service !== undefined
        ? `aws ecs update-service --cluster ${cluster} --service ${lastArnSegment(service)} --enable-execute-command --force-new-deployment`
        : 'start the task with --enable-execute-command';
    return `ExecuteCommand is not enabled on this task; enable it (${how}) and give the task role the ssmmessages permissions; tasks started before keep it off`;
  }
  return undefined;
}

/** A container chosen in a task, or one left out with the reason. */
export type ContainerChoice = { container: Container } | { skipped: { container?: string; reason: string } };

/**
 * The containers to diagnose in one task: the requested one; else the essential, non-sidecar containers
 * whose ExecuteCommandAgent is RUNNING; with `pidMode: task` only one of them (they share the processes).
 */
export function chooseContainers(
  task: Task,
  requested: string | undefined,
  definition?: TaskDefinition,
): ContainerChoice[] {
  const containers = task.containers ?? [];
  if (requested !== undefined) {
    const container = containers.find((candidate) => candidate.name === requested);
    if (container === undefined) {
      const names = containers.map((candidate) => candidate.name).join(', ');
      return [
        {
          skipped: {
            container: requested,
            reason: `no container named ${requested} in this task (it has: ${names})`,
          },
        },
      ];
    }
    const status = agentStatus(container);
    if (status !== 'RUNNING') {
      return [{ skipped: { container: requested, reason: agentReason(status) } }];
    }
    return [{ container }];
  }

  const defined = new Map((definition?.containerDefinitions ?? []).map((entry) => [entry.name, entry]));
  const candidates = containers.filter((container) => {
    if (isSidecar(container)) return false;
    if (defined.size === 0) return true; // no task definition to go by: every non-sidecar
    const entry = defined.get(container.name);
    return entry !== undefined && entry.essential !== false && entry.firelensConfiguration === undefined;
  });
  if (candidates.length === 0) {
    return [{ skipped: { reason: 'no essential application container in this task (only sidecars)' } }];
  }
  const ready = candidates.filter((container) => agentStatus(container) === 'RUNNING');
  if (definition?.pidMode === 'task') {
    const first = ready[0];
    if (first !== undefined) return [{ container: first }];
    return [
      {
        skipped: {
          reason: `no essential container has a RUNNING ExecuteCommandAgent (${agentReason(undefined)})`,
        },
      },
    ];
  }
  return candidates.map((container) =>
    agentStatus(container) === 'RUNNING'
      ? { container }
      : { skipped: { container: container.name ?? '?', reason: agentReason(agentStatus(container)) } },
  );
}

function agentReason(status: string | undefined): string {
  return `ExecuteCommandAgent is ${status ?? 'not present'}, not RUNNING; the agent starts with the task when exec is enabled (check the task role's ssmmessages permissions and the agent logs)`;
}

/**
 * Picks up to `max` tasks: the preferred task (a TaskId dimension) first, then round robin across
 * availability zones (in zone order), so a zone-local problem is seen from more than one zone.
 */
export function sampleTasks(tasks: readonly Task[], max: number, preferredTaskId?: string): Task[] {
  const chosen: Task[] = [];
  const rest = [...tasks];
  if (preferredTaskId !== undefined) {
    const index = rest.findIndex((task) => taskIdOf(task.taskArn ?? '') === preferredTaskId);
    const preferred = rest[index];
    if (preferred !== undefined) {
      chosen.push(preferred);
      rest.splice(index, 1);
    }
  }
  const byZone = new Map<string, Task[]>();
  for (const task of rest.sort((a, b) => (a.taskArn ?? '').localeCompare(b.taskArn ?? ''))) {
    const zone = task.availabilityZone ?? '';
    byZone.set(zone, [...(byZone.get(zone) ?? []), task]);
  }
  const zones = [...byZone.keys()].sort();
  // Start with the zones the preferred task is not in.
  const preferredZone = chosen[0]?.availabilityZone;
  if (preferredZone !== undefined)
    zones.sort((a, b) => Number(a === preferredZone) - Number(b === preferredZone));
  while (chosen.length < max) {
    let picked = false;
    for (const zone of zones) {
      const next = byZone.get(zone)?.shift();
      if (next === undefined) continue;
      chosen.push(next);
      picked = true;
      if (chosen.length >= max) break;
    }
    if (!picked) break;
  }
  return chosen.slice(0, max);
}
