/**
 * Fleet sweeps: the services a `services`, `allServices` or `serviceTags` request names, as Locations.
 * ListServices is paginated; DescribeServices goes 10 services per call (its limit) and says which exist,
 * which allow ExecuteCommand and which carry the tags.
 */
import {
  DescribeServicesCommand,
  type ECSClient,
  ListServicesCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import type { SkippedTarget } from '../contracts.ts';
import { InvalidRequestError } from '../errors.ts';
import type { DiagnosticsRequest } from '../request.ts';
import { lastArnSegment } from '../s3-keys.ts';
import { checkName } from './ecs-names.ts';
import type { Location } from './location.ts';

/** DescribeServices accepts at most 10 services per call. */
export const DESCRIBE_SERVICES_BATCH = 10;
/** Most services read from one cluster by an allServices or serviceTags sweep. */
export const MAX_SWEEP_SERVICES_PER_CLUSTER = 1000;

/** True for the request kinds that sweep services rather than follow one service or alarm. */
export function isSweep(request: DiagnosticsRequest): boolean {
  return request.services !== undefined || request.allServices === true || request.serviceTags !== undefined;
}

/** The clusters a sweep covers, as given (names or ARNs). */
export function sweepClusters(request: DiagnosticsRequest): string[] {
  if (request.clusters !== undefined) return request.clusters;
  if (request.cluster !== undefined) return [request.cluster];
  const fromArns = (request.services ?? []).map((arn) => /:service\/([^/]+)\/[^/]+$/.exec(arn)?.[1]);
  return [...new Set(fromArns.filter((name): name is string => name !== undefined))];
}

/** Every ACTIVE service ARN of a cluster, page by page. */
async function listServiceArns(ecs: ECSClient, cluster: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListServicesCommand({ cluster, maxResults: 100, nextToken }));
    arns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined && arns.length < MAX_SWEEP_SERVICES_PER_CLUSTER);
  return arns.slice(0, MAX_SWEEP_SERVICES_PER_CLUSTER);
}

/** DescribeServices over any number of services, 10 per call, with their tags when asked. */
export async function describeServices(
  ecs: ECSClient,
  cluster: string,
  services: readonly string[],
  withTags: boolean,
): Promise<{ services: Service[]; missing: string[] }> {
  const described: Service[] = [];
  const missing: string[] = [];
  for (let start = 0; start < services.length; start += DESCRIBE_SERVICES_BATCH) {
    const answer = await ecs.send(
      new DescribeServicesCommand({
        cluster,
        services: services.slice(start, start + DESCRIBE_SERVICES_BATCH),
        ...(withTags ? { include: ['TAGS'] } : {}),
      }),
    );
    described.push(...(answer.services ?? []));
    for (const failure of answer.failures ?? [])
      missing.push(`${failure.arn ?? '?'}: ${failure.reason ?? 'failed'}`);
  }
  return { services: described, missing };
}

function hasTags(service: Service, wanted: Record<string, string>): boolean {
  const tags = new Map((service.tags ?? []).map((tag) => [tag.key, tag.value]));
  return Object.entries(wanted).every(([key, value]) => tags.get(key) === value);
}

/** The services a sweep names in one cluster, bare names. */
function namedServices(request: DiagnosticsRequest, cluster: string): string[] | undefined {
  if (request.services === undefined) return undefined;
  return request.services
    .filter((ref) => {
      const owner = /:service\/([^/]+)\/[^/]+$/.exec(ref)?.[1];
      return owner === undefined || owner === cluster;
    })
    .map(lastArnSegment);
}

/**
 * The Locations (one per service) of a sweep over one allowed cluster, and what it left out and why:
 * services missing, not ACTIVE, without ExecuteCommand, or without the tags.
 */
export async function sweepLocations(
  ecs: ECSClient,
  request: DiagnosticsRequest,
  cluster: string,
): Promise<{ locations: Location[]; skipped: SkippedTarget[] }> {
  const clusterName = lastArnSegment(cluster);
  const named = namedServices(request, clusterName);
  const candidates = named ?? (await listServiceArns(ecs, cluster));
  const skipped: SkippedTarget[] = [];
  if (candidates.length === 0) {
    return {
      locations: [],
      skipped: [{ cluster: clusterName, reason: 'the cluster has no services (ListServices)' }],
    };
  }
  const wantedTags = request.serviceTags;
  const { services, missing } = await describeServices(ecs, cluster, candidates, wantedTags !== undefined);
  for (const failure of missing) skipped.push({ cluster: clusterName, reason: `service ${failure}` });
  const locations: Location[] = [];
  let untagged = 0;
  for (const service of services) {
    const name = service.serviceName ?? lastArnSegment(service.serviceArn ?? '');
    if (wantedTags !== undefined && !hasTags(service, wantedTags)) {
      untagged += 1;
      continue;
    }
    if (service.status !== undefined && service.status !== 'ACTIVE') {
      skipped.push({ cluster: clusterName, reason: `service ${name} is ${service.status}, not ACTIVE` });
      continue;
    }
    if (service.enableExecuteCommand === false) {
      skipped.push({
        cluster: clusterName,
        reason: `service ${name} does not enable ExecuteCommand (aws ecs update-service --enable-execute-command, then new tasks)`,
      });
      continue;
    }
    const location: Location = { cluster, service: name, origin: 'sweep' };
    if (request.container !== undefined) location.container = request.container;
    locations.push(location);
  }
  if (wantedTags !== undefined && locations.length === 0) {
    skipped.push({
      cluster: clusterName,
      reason: `none of its ${services.length} services carries every tag of serviceTags (${Object.entries(
        wantedTags,
      )
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')
        .slice(0, 300)})${untagged > 0 ? `; ${untagged} without them` : ''}`,
    });
  }
  return { locations, skipped };
}

/**
 * The locations of a sweep: one per service of each allowed cluster, with what each cluster left out
 * appended to `skipped`. A cluster outside the allow-list fails the whole sweep.
 */
export async function routeSweep(
  request: DiagnosticsRequest,
  ecs: ECSClient,
  allowed: readonly string[],
  skipped: SkippedTarget[],
): Promise<{ locations: Location[]; notes: string[]; script?: string }> {
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
