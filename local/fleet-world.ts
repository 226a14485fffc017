/**
 * A generated sandbox world for fleet sweeps: N tasks spread evenly over S services in C clusters, each
 * task one essential `app` container with its exec agent RUNNING, services tagged `team` (payments or
 * search, alternating) and `tier`. ExecuteCommand runs a tiny stand-in script, so 1000 targets run here.
 */
import { parseWorld, type World } from './world.ts';

/** The sizes of a generated world. */
export interface FleetSize {
  tasks: number;
  services: number;
  clusters: number;
}

export const DEFAULT_FLEET: FleetSize = { tasks: 1000, services: 50, clusters: 2 };

/** What each generated container prints: a few lines, no child processes beyond the shell's builtins. */
export const FLEET_STAND_IN = 'echo "fleet stand-in: $HOSTNAME"; echo "pid $$"';

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** `fleet` or `fleet:TASKS:SERVICES:CLUSTERS` → the sizes; undefined for anything else (a world file). */
export function parseFleetSpec(spec: string): FleetSize | undefined {
  if (spec === 'fleet') return DEFAULT_FLEET;
  const match = /^fleet:(\d{1,5}):(\d{1,4}):(\d{1,2})$/.exec(spec);
  if (match === null) return undefined;
  const [tasks, services, clusters] = match.slice(1).map(Number) as [number, number, number];
  if (clusters < 1 || services < clusters || tasks < services || tasks > 10_000) {
    throw new Error(
      `--world ${spec}: need 1 <= clusters <= services <= tasks <= 10000 (e.g. fleet:1000:50:2)`,
    );
  }
  return { tasks, services, clusters };
}

/** The cluster names of a generated world. */
export function fleetClusterNames(size: FleetSize): string[] {
  return Array.from({ length: size.clusters }, (_, c) => `fleet-${c + 1}`);
}

/** Generates and validates the world. Deterministic: the same sizes give the same ids. */
export function generateFleetWorld(size: FleetSize = DEFAULT_FLEET): World {
  const names = fleetClusterNames(size);
  const clusters = names.map((name) => ({
    name,
    tags: { env: 'sandbox' },
    services: [] as unknown[],
    tasks: [] as unknown[],
  }));
  for (let s = 0; s < size.services; s += 1) {
    const cluster = clusters[s % size.clusters] as (typeof clusters)[number];
    const service = `svc-${String(s + 1).padStart(3, '0')}`;
    cluster.services.push({
      name: service,
      taskDefinition: `${service}:1`,
      tags: {
        team: Math.floor(s / size.clusters) % 2 === 0 ? 'payments' : 'search',
        tier: s % 5 === 0 ? 'critical' : 'standard',
      },
    });
  }
  for (let t = 0; t < size.tasks; t += 1) {
    const s = t % size.services;
    const cluster = clusters[s % size.clusters] as (typeof clusters)[number];
    cluster.tasks.push({
      id: `f${(t + 1).toString(16).padStart(31, '0')}`,
      service: `svc-${String(s + 1).padStart(3, '0')}`,
      availabilityZone: ZONES[t % ZONES.length],
      containers: [{ name: 'app', image: 'public.ecr.aws/docker/library/busybox:latest' }],
    });
  }
  return parseWorld(
    { scriptStandIn: FLEET_STAND_IN, account: '493817260514', region: 'us-east-1', clusters },
    `the generated fleet world (${size.tasks} tasks, ${size.services} services, ${size.clusters} clusters)`,
  );
}

/** The sweep a generated world runs by default: every service of every cluster, every task. */
export function fleetSweepRequest(size: FleetSize = DEFAULT_FLEET): Record<string, unknown> {
  return {
    clusters: fleetClusterNames(size),
    allServices: true,
    maxTasks: Math.min(50, Math.ceil(size.tasks / size.services)),
    script: 'basic',
    maxConcurrency: 40,
    reason: 'sandbox fleet sweep',
    source: { type: 'manual' },
  };
}
