/**
 * The DiagnosticsRequest: the execution input of the state machine, whether start-run built it from an
 * alarm or schedule, or a person started the execution by hand. Every field is data, never a command.
 */
import { catalogScriptNames, isCatalogScript } from './catalog.ts';
import { InvalidRequestError } from './errors.ts';
import { MAX_TASKS_LIMIT } from './limits.ts';
import * as z from './schema.ts';
import { ECS_NAME, TASK_ID } from './targets/ecs-names.ts';

const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;
const SERVICE_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/(?:[A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9_-]{1,255}$/;
/** A task ARN, with or without the cluster segment. */
const TASK_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/(?:[A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9-]{32,36}$/;
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}$/su;

/** Largest `maxTasks` (limits.ts), and most explicit tasks one request may name. */
export { MAX_TASKS_LIMIT };
export const MAX_EXPLICIT_TASKS = 100;
/** Most services one `services` list may name, and most clusters one sweep may cover. */
export const MAX_SERVICES = 100;
export const MAX_SWEEP_CLUSTERS = 10;
/** Most tags a `serviceTags` filter may hold (a service must carry every one). */
export const MAX_SERVICE_TAGS = 10;
/**
 * Most containers one run diagnoses, over every service and cluster of a sweep: `maxTasks` applies per
 * service, and whatever passes this total is left out (listed in the manifest's skipped entries).
 */
export const MAX_RUN_TARGETS = 1000;
/**
 * Bounds and default of the Map state's MaxConcurrency. 40 parallel targets keep ECS's per-account
 * token buckets (cluster reads refill at about 20/s after a burst of 50) out of sustained throttling.
 */
export const MAX_CONCURRENCY = { min: 1, max: 40, fallback: 5 } as const;

/** A string of at most `max` characters. */
const text = (max: number) => z.string().check(z.maxLength(max));
/** An integer within [min, max]. */
const integer = (min: number, max: number) => z.number().check(z.int(), z.gte(min), z.lte(max));
/** An array of `item`s, `min` to `max` long. */
const list = <T extends z.ZodMiniType>(item: T, min: number, max: number) =>
  z.array(item).check(z.minLength(min), z.maxLength(max));

/**
 * The request's fields. Built on the first parseRequest, not at import: every field and check is a zod
 * object, and a start-run invocation that ignores its event (an OK state, a foreign alarm) never needs them.
 */
function buildRequestShape() {
  const clusterField = z.string().check(
    z.refine((value) => ECS_NAME.test(value) || CLUSTER_ARN.test(value), {
      message: 'must be a cluster name ([A-Za-z0-9_-], up to 255) or a cluster ARN',
    }),
  );
  const serviceField = z.string().check(
    z.refine((value) => ECS_NAME.test(value) || SERVICE_ARN.test(value), {
      message: 'must be a service name ([A-Za-z0-9_-], up to 255) or a service ARN',
    }),
  );
  const containerField = z
    .string()
    .check(z.regex(ECS_NAME, 'must be a container name ([A-Za-z0-9_-], up to 255)'));
  const taskField = z.string().check(
    z.refine((value) => TASK_ID.test(value) || TASK_ARN.test(value), {
      message: 'must be a task id (32 hex digits) or a task ARN',
    }),
  );
  const scriptField = z.string().check(
    z.refine(isCatalogScript, {
      message: `must name a script of the catalog (${catalogScriptNames().join(', ')}), never a command`,
    }),
  );
  const alarmNameField = z.string().check(z.minLength(1), z.maxLength(255));
  const timestampField = z
    .string()
    .check(
      z.refine((value) => !Number.isNaN(Date.parse(value)), { message: 'must be an ISO 8601 timestamp' }),
    );
  const alarmArnField = z.string().check(z.regex(ALARM_ARN, 'must be a CloudWatch alarm ARN'));

  const sourceObject = z.strictObject({
    type: z.enum(['alarm', 'schedule', 'manual']),
    alarmName: z.optional(alarmNameField),
    alarmArn: z.optional(alarmArnField),
    stateChangeTime: z.optional(timestampField),
    /** The EventBridge rule or schedule that started a scheduled run. */
    ruleArn: z.optional(text(1600)),
  });

  /** `source` may be shortened to its type: `"schedule"` means `{type: "schedule"}`. */
  const sourceField = z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' ? { type: value } : value)),
    sourceObject,
  );

  const tagKeyField = z.string().check(z.minLength(1), z.maxLength(128));
  const serviceTagsField = z.record(tagKeyField, text(256)).check(
    z.refine((value) => Object.keys(value).length >= 1, { message: 'must name at least one tag' }),
    z.refine((value) => Object.keys(value).length <= MAX_SERVICE_TAGS, {
      message: `at most ${MAX_SERVICE_TAGS} tags (a service must carry every one)`,
    }),
  );

  const dimensionsField = z
    .record(z.string().check(z.minLength(1), z.maxLength(255)), text(1024))
    .check(z.refine((value) => Object.keys(value).length <= 30, { message: 'at most 30 dimensions' }));

  const alarmMetricField = z.strictObject({
    id: z.optional(text(255)),
    namespace: z.optional(text(255)),
    metricName: z.optional(text(255)),
    dimensions: dimensionsField,
  });

  const alarmTextField = text(2049);
  const alarmStateField = z.strictObject({
    value: text(64),
    reason: z.optional(alarmTextField),
    /** The event's reasonData, parsed and bounded by start-run. */
    reasonData: z.optional(
      z.record(z.string(), z.unknown()).check(
        z.refine((value) => JSON.stringify(value).length <= 4096, {
          message: 'must be at most 4096 characters as JSON',
        }),
      ),
    ),
    timestamp: z.optional(timestampField),
  });

  /**
   * The alarm's ecs-diagnostics:* tags, keyed without the prefix, as its event carried them (tag propagation
   * on, alarmTagsStatus SUCCESS): present, resolve-targets does not ask ListTagsForResource.
   */
  const alarmTagsField = z.strictObject({
    cluster: z.optional(text(256)),
    service: z.optional(text(256)),
    container: z.optional(text(256)),
    script: z.optional(text(256)),
  });

  /**
   * The alarm data resolve-targets needs (metric dimensions, or the rule of a composite alarm), and the alarm's
   * own words for the manifest (state and reason, previous state, description, threshold, comparison).
   */
  const alarmField = z.strictObject({
    name: alarmNameField,
    arn: z.optional(alarmArnField),
    type: z._default(z.enum(['metric', 'composite']), 'metric'),
    metrics: z._default(z.array(alarmMetricField).check(z.maxLength(20)), []),
    alarmRule: z.optional(text(10240)),
    triggeringAlarms: z.optional(z.array(text(1600)).check(z.maxLength(100))),
    state: z.optional(alarmStateField),
    previousState: z.optional(alarmStateField),
    description: z.optional(alarmTextField),
    threshold: z.optional(z.number()),
    comparisonOperator: z.optional(text(64)),
    tags: z.optional(alarmTagsField),
  });

  return z.strictObject({
    cluster: z.optional(clusterField),
    /** Several clusters (within TargetClusterNames), only for the `allServices` and `serviceTags` sweeps. */
    clusters: z.optional(list(clusterField, 1, MAX_SWEEP_CLUSTERS)),
    service: z.optional(serviceField),
    services: z.optional(list(serviceField, 1, MAX_SERVICES)),
    /** Every service of the cluster(s). */
    allServices: z.optional(z.literal(true, { message: 'must be true (leave it out otherwise)' })),
    /** Every service of the cluster(s) that carries all of these tags. */
    serviceTags: z.optional(serviceTagsField),
    tasks: z.optional(list(taskField, 1, MAX_EXPLICIT_TASKS)),
    container: z.optional(containerField),
    script: z.optional(scriptField),
    maxTasks: z.optional(integer(1, MAX_TASKS_LIMIT)),
    maxConcurrency: z.optional(integer(MAX_CONCURRENCY.min, MAX_CONCURRENCY.max)),
    reason: z.optional(text(1024)),
    source: z._default(sourceField, { type: 'manual' as const }),
    alarm: z.optional(alarmField),
  });
}

/** The combinations of fields one request may not make (each check names the field and the fix). */
function checkCombinations(
  request: z.infer<ReturnType<typeof buildRequestShape>>,
  ctx: z.core.$RefinementCtx,
): void {
  const kinds = (['service', 'services', 'tasks', 'allServices', 'serviceTags'] as const).filter(
    (kind) => request[kind] !== undefined,
  );
  if (kinds.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: [kinds[1] as string],
      message: `give one of service, services, tasks, allServices or serviceTags, not ${kinds.join(' and ')}`,
    });
  }
  if (request.clusters !== undefined) {
    if (request.cluster !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: 'give either cluster or clusters, not both',
      });
    }
    if (request.allServices === undefined && request.serviceTags === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusters'],
        message: 'is only for sweeps: add allServices: true or serviceTags, or give one cluster',
      });
    }
  }
  if (
    (request.allServices !== undefined || request.serviceTags !== undefined) &&
    request.cluster === undefined &&
    request.clusters === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['cluster'],
      message: 'is required for a sweep: give cluster, or clusters (names within TargetClusterNames)',
    });
  }
  if (request.alarm !== undefined && kinds.some((kind) => kind !== 'service' && kind !== 'tasks')) {
    ctx.addIssue({
      code: 'custom',
      path: [kinds[0] as string],
      message:
        'an alarm request resolves its own services; services, allServices and serviceTags are for schedules and manual runs',
    });
  }
  request.services?.forEach((service, index) => {
    const serviceCluster = /:service\/([^/]+)\/[^/]+$/.exec(service)?.[1];
    const clusterName = request.cluster?.split('/').pop();
    if (serviceCluster === undefined && clusterName === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', index],
        message: 'is a bare service name: give cluster, or the service ARN (which names its cluster)',
      });
    } else if (serviceCluster !== undefined && clusterName !== undefined && serviceCluster !== clusterName) {
      ctx.addIssue({
        code: 'custom',
        path: ['services', index],
        message: `is a service of cluster ${serviceCluster}, not of the request's cluster ${clusterName}; leave cluster out and give service ARNs to span clusters`,
      });
    }
  });
  if (request.tasks !== undefined && request.cluster === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['cluster'],
      message: 'is required with tasks: give the cluster (name or ARN) the tasks run in',
    });
  }
  const clusterName = request.cluster?.split('/').pop();
  const serviceCluster =
    request.service === undefined ? undefined : /:service\/([^/]+)\/[^/]+$/.exec(request.service)?.[1];
  if (serviceCluster !== undefined && clusterName !== undefined && serviceCluster !== clusterName) {
    ctx.addIssue({
      code: 'custom',
      path: ['service'],
      message: `is a service of cluster ${serviceCluster}, not of the request's cluster ${clusterName}; give the service's own cluster, or the bare service name`,
    });
  }
  request.tasks?.forEach((task, index) => {
    const taskCluster = /:task\/([^/]+)\/[^/]+$/.exec(task)?.[1];
    if (taskCluster !== undefined && taskCluster !== clusterName) {
      ctx.addIssue({
        code: 'custom',
        path: ['tasks', index],
        message: `is a task of cluster ${taskCluster}, not of the request's cluster ${clusterName ?? '(none)'}; give tasks of one cluster, or their bare task ids`,
      });
    }
  });
  if (
    request.cluster === undefined &&
    request.clusters === undefined &&
    request.services === undefined &&
    request.alarm === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['cluster'],
      message: 'is required (a cluster name or ARN) unless alarm data names the cluster',
    });
  }
  if (request.cluster !== undefined && kinds.length === 0 && request.alarm === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['service'],
      message: 'say which tasks to diagnose: give service, services, tasks, allServices: true or serviceTags',
    });
  }
}

/** The request schema: its fields and the combinations they may not make. */
function buildRequestSchema() {
  return buildRequestShape().check(z.superRefine(checkCombinations));
}

let requestSchema: ReturnType<typeof buildRequestSchema> | undefined;

/** A validated request. */
export type DiagnosticsRequest = z.infer<ReturnType<typeof buildRequestSchema>>;
/** The alarm data of a request. */
export type RequestAlarm = NonNullable<DiagnosticsRequest['alarm']>;
/** One metric of an alarm, with its dimensions. */
export type AlarmMetric = RequestAlarm['metrics'][number];
/** Where a request came from. */
export type RequestSource = DiagnosticsRequest['source'];

/** Formats a zod issue path (`tasks.2`, `source.alarmArn`) as the field name of an error. */
function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'request';
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.');
}

/**
 * Validates an execution input as a DiagnosticsRequest; throws InvalidRequestError naming the first bad
 * field and what to do about it.
 */
export function parseRequest(input: unknown): DiagnosticsRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError('request', 'must be a JSON object (a DiagnosticsRequest)');
  }
  requestSchema ??= buildRequestSchema();
  const result = requestSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new InvalidRequestError('request', 'is not a valid DiagnosticsRequest');
  const field = fieldName(issue.path).replace(/\.\[/g, '[');
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field(s) ${issue.keys
          .slice(0, 5)
          .map((key) => JSON.stringify(key.slice(0, 64)))
          .join(', ')}; remove them`
      : issue.message;
  throw new InvalidRequestError(field, message);
}
