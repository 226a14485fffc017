/**
 * The DiagnosticsRequest: the execution input of the state machine, whether start-run built it from an
 * alarm or schedule, or a person started the execution by hand. Every field is data, never a command.
 */
import { z } from 'zod';
import { catalogScriptNames, isCatalogScript } from './catalog.ts';
import { InvalidRequestError } from './errors.ts';

/** ECS cluster, service and container names: letters, digits, hyphens and underscores, up to 255. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;
const SERVICE_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service\/(?:[A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9_-]{1,255}$/;
/** A task id (32 hex digits, or the older UUID form) or a task ARN (with or without the cluster segment). */
const TASK_ID = /^(?:[a-f0-9]{32}|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$/;
const TASK_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/(?:[A-Za-z0-9_-]{1,255}\/)?[A-Za-z0-9-]{32,36}$/;
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.{1,255}$/su;

/** Largest `maxTasks` (tasks sampled per service), and most explicit tasks one request may name. */
export const MAX_TASKS_LIMIT = 50;
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

const clusterField = z.string().refine((value) => ECS_NAME.test(value) || CLUSTER_ARN.test(value), {
  message: 'must be a cluster name ([A-Za-z0-9_-], up to 255) or a cluster ARN',
});
const serviceField = z.string().refine((value) => ECS_NAME.test(value) || SERVICE_ARN.test(value), {
  message: 'must be a service name ([A-Za-z0-9_-], up to 255) or a service ARN',
});
const containerField = z.string().regex(ECS_NAME, 'must be a container name ([A-Za-z0-9_-], up to 255)');
const taskField = z.string().refine((value) => TASK_ID.test(value) || TASK_ARN.test(value), {
  message: 'must be a task id (32 hex digits) or a task ARN',
});
const scriptField = z.string().refine(isCatalogScript, {
  message: `must name a script of the catalog (${catalogScriptNames().join(', ')}), never a command`,
});
const alarmNameField = z.string().min(1).max(255);
const timestampField = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'must be an ISO 8601 timestamp',
});

const sourceObject = z
  .object({
    type: z.enum(['alarm', 'schedule', 'manual']),
    alarmName: alarmNameField.optional(),
    alarmArn: z.string().regex(ALARM_ARN, 'must be a CloudWatch alarm ARN').optional(),
    stateChangeTime: timestampField.optional(),
    /** The EventBridge rule or schedule that started a scheduled run. */
    ruleArn: z.string().max(1600).optional(),
  })
  .strict();

/** `source` may be shortened to its type: `"schedule"` means `{type: "schedule"}`. */
const sourceField = z.preprocess(
  (value) => (typeof value === 'string' ? { type: value } : value),
  sourceObject,
);

const tagKeyField = z.string().min(1).max(128);
const serviceTagsField = z
  .record(tagKeyField, z.string().max(256))
  .refine((value) => Object.keys(value).length >= 1, { message: 'must name at least one tag' })
  .refine((value) => Object.keys(value).length <= MAX_SERVICE_TAGS, {
    message: `at most ${MAX_SERVICE_TAGS} tags (a service must carry every one)`,
  });

const dimensionsField = z
  .record(z.string().min(1).max(255), z.string().max(1024))
  .refine((value) => Object.keys(value).length <= 30, { message: 'at most 30 dimensions' });

const alarmMetricField = z
  .object({
    id: z.string().max(255).optional(),
    namespace: z.string().max(255).optional(),
    metricName: z.string().max(255).optional(),
    dimensions: dimensionsField,
  })
  .strict();

const alarmTextField = z.string().max(2049);
const alarmStateField = z
  .object({
    value: z.string().max(64),
    reason: alarmTextField.optional(),
    /** The event's reasonData, parsed and bounded by start-run. */
    reasonData: z
      .record(z.string(), z.unknown())
      .refine((value) => JSON.stringify(value).length <= 4096, {
        message: 'must be at most 4096 characters as JSON',
      })
      .optional(),
    timestamp: timestampField.optional(),
  })
  .strict();

const tagValueField = z.string().max(256);
/**
 * The alarm's ecs-diagnostics:* tags, keyed without the prefix, as its event carried them (tag propagation
 * on, alarmTagsStatus SUCCESS): present, resolve-targets does not ask ListTagsForResource.
 */
const alarmTagsField = z
  .object({
    cluster: tagValueField.optional(),
    service: tagValueField.optional(),
    container: tagValueField.optional(),
    script: tagValueField.optional(),
  })
  .strict();

/**
 * The alarm data resolve-targets needs (metric dimensions, or the rule of a composite alarm), and the alarm's
 * own words for the manifest (state and reason, previous state, description, threshold, comparison).
 */
const alarmField = z
  .object({
    name: alarmNameField,
    arn: z.string().regex(ALARM_ARN, 'must be a CloudWatch alarm ARN').optional(),
    type: z.enum(['metric', 'composite']).default('metric'),
    metrics: z.array(alarmMetricField).max(20).default([]),
    alarmRule: z.string().max(10240).optional(),
    triggeringAlarms: z.array(z.string().max(1600)).max(100).optional(),
    state: alarmStateField.optional(),
    previousState: alarmStateField.optional(),
    description: alarmTextField.optional(),
    threshold: z.number().optional(),
    comparisonOperator: z.string().max(64).optional(),
    tags: alarmTagsField.optional(),
  })
  .strict();

const requestSchema = z
  .object({
    cluster: clusterField.optional(),
    /** Several clusters (within TargetClusterNames), only for the `allServices` and `serviceTags` sweeps. */
    clusters: z.array(clusterField).min(1).max(MAX_SWEEP_CLUSTERS).optional(),
    service: serviceField.optional(),
    services: z.array(serviceField).min(1).max(MAX_SERVICES).optional(),
    /** Every service of the cluster(s). */
    allServices: z.literal(true, { message: 'must be true (leave it out otherwise)' }).optional(),
    /** Every service of the cluster(s) that carries all of these tags. */
    serviceTags: serviceTagsField.optional(),
    tasks: z.array(taskField).min(1).max(MAX_EXPLICIT_TASKS).optional(),
    container: containerField.optional(),
    script: scriptField.optional(),
    maxTasks: z.number().int().min(1).max(MAX_TASKS_LIMIT).optional(),
    maxConcurrency: z.number().int().min(MAX_CONCURRENCY.min).max(MAX_CONCURRENCY.max).optional(),
    reason: z.string().max(1024).optional(),
    source: sourceField.default({ type: 'manual' }),
    alarm: alarmField.optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
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
      } else if (
        serviceCluster !== undefined &&
        clusterName !== undefined &&
        serviceCluster !== clusterName
      ) {
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
        message:
          'say which tasks to diagnose: give service, services, tasks, allServices: true or serviceTags',
      });
    }
  });

/** A validated request. */
export type DiagnosticsRequest = z.infer<typeof requestSchema>;
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
