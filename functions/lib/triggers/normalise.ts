/**
 * Every trigger of start-run, normalised to a DiagnosticsRequest plus its execution name and cooldown
 * subject, or to the reason it is ignored. Pure: no AWS calls, so the dry run shows exactly this.
 */
import { InvalidRequestError } from '../errors.ts';
import { type DiagnosticsRequest, parseRequest } from '../request.ts';
import { lastArnSegment } from '../s3-keys.ts';
import { locationsFromMetrics } from '../targets/location.ts';
import { matchMetricRoute, matchRoute, type RoutingTable } from '../targets/routing.ts';
import { chooseScript } from '../targets/script-choice.ts';
import {
  type AlarmNotice,
  alarmFacts,
  fromEventBridge,
  fromLambdaAlarmAction,
  fromSnsMessage,
  isEventBridgeAlarm,
  isLambdaAlarmAction,
} from './alarm-event.ts';
import { type CooldownSubject, cooldownKey, executionName } from './execution-name.ts';

/** What start-run needs to know besides the event. */
export interface TriggerConfig {
  /** Only alarms whose name starts with this are acted on ('' = any). */
  alarmNamePrefix: string;
  /** Cluster names a run may touch (empty = any). */
  allowedClusters: readonly string[];
  defaultScript: string;
  routing: RoutingTable;
  /** The clock (static requests from a schedule are stamped with the current minute). */
  now: () => Date;
  /**
   * This stack's account and region: alarms of other accounts or regions (forwarded events, shared topics)
   * are ignored, since their ClusterName would be looked up among this account's clusters. Undefined = no check.
   */
  home?: { account: string; region: string };
  /** Accounts besides `home`'s whose SNS topics may deliver alarms (ALARM_TOPIC_ACCOUNT_IDS). */
  topicAccounts?: readonly string[];
}

/** A run to start. */
export interface StartDecision {
  action: 'start';
  request: DiagnosticsRequest;
  executionName: string;
  /** The cooldown subject; undefined = no cooldown (scheduled runs: the schedule sets the rate). */
  cooldown?: CooldownSubject & { key: string };
  /** Where the cooldown subject came from (`request`, `dimensions`, `routing[0]`, `alarm`). */
  routedBy: string;
}

/** An event that leads to no run, and why. */
export interface IgnoreDecision {
  action: 'ignore';
  reason: string;
  alarmName?: string;
}

export type TriggerDecision = StartDecision | IgnoreDecision;

type Json = Record<string, unknown>;

const REQUEST_KEYS = ['cluster', 'service', 'tasks', 'container', 'script', 'alarm', 'maxTasks', 'source'];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clusterAllowed(cluster: string, allowed: readonly string[]): boolean {
  return allowed.length === 0 || allowed.includes(lastArnSegment(cluster));
}

/** The account and region of a state machine ARN (the stack's home), or undefined when it is no such ARN. */
export function homeOf(stateMachineArn: string | undefined): TriggerConfig['home'] {
  const match = /^arn:[^:]+:states:([a-z0-9-]+):(\d{12}):stateMachine:/.exec(stateMachineArn ?? '');
  return match?.[1] !== undefined && match[2] !== undefined
    ? { region: match[1], account: match[2] }
    : undefined;
}

/** Builds the request of an alarm in ALARM (or the reason to ignore it). */
export function decideForAlarm(notice: AlarmNotice, config: TriggerConfig): TriggerDecision {
  const alarmName = notice.name;
  if (notice.state !== 'ALARM') {
    return {
      action: 'ignore',
      alarmName,
      reason: `alarm state is ${notice.state}, not ALARM: nothing to diagnose`,
    };
  }
  // A suppressor alarm in ALARM (or its extension period) means "do not act now", e.g. a maintenance
  // window. During the wait period the suppressor has not fired: the run goes ahead (CloudWatch may never
  // send a later event for it), and the cooldown absorbs the post-wait delivery of a Lambda action.
  if (notice.actionsSuppressedBy === 'Alarm' || notice.actionsSuppressedBy === 'ExtensionPeriod') {
    return {
      action: 'ignore',
      alarmName,
      reason: `the alarm's actions are suppressed (${notice.actionsSuppressedBy}): its suppressor alarm says not to act now`,
    };
  }
  const origin =
    notice.arn === undefined ? undefined : /^arn:[^:]+:cloudwatch:([^:]*):([^:]*):alarm:/.exec(notice.arn);
  if (config.home !== undefined && (origin === undefined || origin === null)) {
    // Without the alarm's ARN nothing says whose alarm it is: a forged SNS message would skip the check.
    return {
      action: 'ignore',
      alarmName,
      reason:
        notice.arn === undefined
          ? 'the notification carries no AlarmArn, so its account cannot be checked; treated as foreign'
          : 'the AlarmArn is not a CloudWatch alarm ARN, so its account cannot be checked; treated as foreign',
    };
  }
  if (config.home !== undefined && origin !== undefined && origin !== null) {
    const [, region, account] = origin;
    if (account !== config.home.account || region !== config.home.region) {
      return {
        action: 'ignore',
        alarmName,
        reason: `the alarm belongs to account ${JSON.stringify(account)} in region ${JSON.stringify(region)}; this stack diagnoses account ${config.home.account} in ${config.home.region} only`,
      };
    }
  }
  if (!alarmName.startsWith(config.alarmNamePrefix)) {
    return {
      action: 'ignore',
      alarmName,
      reason: `alarm name does not start with the configured prefix ${JSON.stringify(config.alarmNamePrefix)}`,
    };
  }
  const locations = locationsFromMetrics(notice.metrics);
  const request: Json = {
    source: { type: 'alarm', alarmName, alarmArn: notice.arn, stateChangeTime: notice.stateChangeTime },
    alarm: {
      name: alarmName,
      arn: notice.arn,
      type: notice.type,
      // Bounded so a large metric-math alarm still makes a small request; the ECS ones are kept first.
      metrics: [...notice.metrics]
        .sort((a, b) => Number(!a.dimensions.ClusterName) - Number(!b.dimensions.ClusterName))
        .slice(0, 20),
      alarmRule: notice.alarmRule,
      triggeringAlarms: notice.triggeringAlarms?.slice(0, 100),
      ...alarmFacts(notice),
      tags: notice.tags,
    },
    reason: `alarm entered ALARM at ${notice.stateChangeTime} (via ${notice.via})`,
  };
  const single = locations.length === 1 ? locations[0] : undefined;
  if (single !== undefined) {
    request.cluster = single.cluster;
    if (single.service !== undefined) request.service = single.service;
    if (single.container !== undefined) request.container = single.container;
  }
  const parsed = parseRequest(JSON.parse(JSON.stringify(request)));

  const disallowed = locations.filter(
    (location) => !clusterAllowed(location.cluster, config.allowedClusters),
  );
  if (locations.length > 0 && disallowed.length === locations.length) {
    return {
      action: 'ignore',
      alarmName,
      reason: `cluster ${JSON.stringify(disallowed[0]?.cluster)} is not in this stack's TargetClusterNames (the deploy parameter that allows it)`,
    };
  }

  // The cooldown subject: dimensions first, else the routing file, else the alarm itself (composite
  // and tag-routed alarms are routed in resolve-targets; until then the alarm name stands in for them).
  const route = locations.length === 0 ? matchRoute(config.routing, alarmName) : undefined;
  // The script as far as the event tells (tags and a composite's children are read by resolve-targets).
  const script = chooseScript({
    request: parsed.script,
    route: matchRoute(config.routing, alarmName),
    metric: matchMetricRoute(config.routing, notice.metrics),
    defaultScript: config.defaultScript,
  }).script;
  const first = locations[0];
  let subject: CooldownSubject;
  let routedBy: string;
  if (first !== undefined) {
    subject = {
      cluster: first.cluster,
      service: first.service,
      script,
    };
    routedBy = 'dimensions';
  } else if (route?.route.cluster !== undefined) {
    if (!clusterAllowed(route.route.cluster, config.allowedClusters)) {
      return {
        action: 'ignore',
        alarmName,
        reason: `routing[${route.index}] names cluster ${JSON.stringify(route.route.cluster)}, which is not in this stack's TargetClusterNames (the deploy parameter that allows it)`,
      };
    }
    subject = {
      cluster: route.route.cluster,
      service: route.route.service,
      script,
    };
    routedBy = `routing[${route.index}]`;
  } else {
    subject = { cluster: `alarm:${alarmName}`, script };
    routedBy = 'alarm';
  }
  const key = cooldownKey(subject);
  return {
    action: 'start',
    request: parsed,
    executionName: executionName({
      key,
      at: new Date(notice.stateChangeTime),
      label: alarmName,
      identity: JSON.stringify(['alarm', alarmName, notice.stateChangeTime]),
    }),
    cooldown: { ...subject, key },
    routedBy,
  };
}

/** The cooldown's service part for a sweep request: what it sweeps. */
function sweepSubject(request: DiagnosticsRequest): string | undefined {
  if (request.services !== undefined) return `services:${[...request.services].sort().join(',')}`;
  if (request.allServices === true) return 'allServices';
  if (request.serviceTags !== undefined)
    return `serviceTags:${JSON.stringify(Object.entries(request.serviceTags).sort())}`;
  return undefined;
}

/** A static request (EventBridge Scheduler input, a rule's constant Input, or a scheduled event's detail). */
export function decideForStaticRequest(
  input: Json,
  config: TriggerConfig,
  meta: { at?: Date; ruleArn?: string; eventId?: string } = {},
): TriggerDecision {
  const raw: Json = { ...input };
  if (raw.source === undefined) raw.source = { type: 'schedule' };
  if (meta.ruleArn !== undefined && isObject(raw.source) && raw.source.ruleArn === undefined) {
    raw.source = { ...raw.source, ruleArn: meta.ruleArn };
  }
  const request = parseRequest(raw);
  for (const cluster of [
    ...(request.cluster !== undefined ? [request.cluster] : []),
    ...(request.clusters ?? []),
  ]) {
    if (!clusterAllowed(cluster, config.allowedClusters)) {
      return {
        action: 'ignore',
        reason: `cluster ${JSON.stringify(cluster)} is not in this stack's TargetClusterNames (the deploy parameter that allows it)`,
      };
    }
  }
  if (
    request.source.alarmName !== undefined &&
    !request.source.alarmName.startsWith(config.alarmNamePrefix)
  ) {
    return {
      action: 'ignore',
      reason: `alarm name does not start with the configured prefix ${JSON.stringify(config.alarmNamePrefix)}`,
    };
  }
  const script = request.script ?? config.defaultScript;
  const subject: CooldownSubject = {
    cluster: request.cluster ?? request.clusters?.join(',') ?? `alarm:${request.alarm?.name ?? ''}`,
    service:
      request.service ??
      (request.tasks ? `tasks:${[...request.tasks].sort().join(',')}` : sweepSubject(request)),
    script,
  };
  const key = cooldownKey(subject);
  // A schedule fires once per period; its duplicates share the event time (or, for static Scheduler
  // input that carries no time, the current minute).
  const at = meta.at ?? new Date(Math.floor(config.now().getTime() / 60_000) * 60_000);
  const label = `${request.source.type}-${sweepSubject(request) !== undefined ? 'sweep' : lastArnSegment(request.service ?? request.cluster ?? 'run')}`;
  const decision: StartDecision = {
    action: 'start',
    request,
    executionName: executionName({
      key,
      at,
      label,
      identity: JSON.stringify(['static', meta.eventId ?? '', at.toISOString(), request]),
    }),
    routedBy: 'request',
  };
  if (request.source.type !== 'schedule') decision.cooldown = { ...subject, key };
  return decision;
}

/** Why an SNS record's topic is not one this stack listens to (this account or an allowed one), if it is not. */
function foreignTopic(topicArn: unknown, config: TriggerConfig): string | undefined {
  if (config.home === undefined) return undefined;
  const account =
    typeof topicArn === 'string' ? /^arn:[^:]+:sns:[^:]*:(\d{12}):/.exec(topicArn)?.[1] : undefined;
  if (account === undefined)
    return 'the SNS record names no topic ARN, so its account cannot be checked; treated as foreign';
  if (account === config.home.account || config.topicAccounts?.includes(account)) return undefined;
  return `the SNS topic belongs to account ${account}, which is neither this stack's nor in ALARM_TOPIC_ACCOUNT_IDS`;
}

/**
 * Normalises whatever invoked start-run. SNS may batch records, so the answer is a list (one decision
 * per alarm notification). Throws InvalidRequestError for events it cannot read, naming the field.
 */
export function decide(event: unknown, config: TriggerConfig): TriggerDecision[] {
  if (!isObject(event)) {
    throw new InvalidRequestError('event', 'must be a JSON object');
  }
  if (Array.isArray(event.Records)) {
    return event.Records.map((record, index) => {
      const field = `Records[${index}]`;
      if (!isObject(record) || !isObject(record.Sns)) {
        throw new InvalidRequestError(`${field}.Sns`, 'is missing: only SNS records are accepted');
      }
      const foreign = foreignTopic(record.Sns.TopicArn, config);
      if (foreign !== undefined) return { action: 'ignore', reason: foreign };
      return decideForAlarm(fromSnsMessage(record.Sns.Message, `${field}.Sns.Message`), config);
    });
  }
  if (event['detail-type'] !== undefined) {
    if (isEventBridgeAlarm(event)) return [decideForAlarm(fromEventBridge(event), config)];
    if (event['detail-type'] === 'Scheduled Event') {
      const detail = isObject(event.detail) ? event.detail : {};
      if (!REQUEST_KEYS.some((key) => key in detail)) {
        throw new InvalidRequestError(
          'detail',
          'the scheduled event carries no request: set the rule target Input (or the schedule input) to a DiagnosticsRequest such as {"cluster":"NAME","service":"NAME","script":"basic"}',
        );
      }
      const resources = Array.isArray(event.resources) ? event.resources : [];
      const meta: { at?: Date; ruleArn?: string; eventId?: string } = {};
      if (typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)))
        meta.at = new Date(event.time);
      if (typeof resources[0] === 'string') meta.ruleArn = resources[0];
      if (typeof event.id === 'string') meta.eventId = event.id;
      return [decideForStaticRequest(detail, config, meta)];
    }
    return [
      {
        action: 'ignore',
        reason: `EventBridge events of type ${JSON.stringify(String(event['detail-type']).slice(0, 100))} are not handled; only "CloudWatch Alarm State Change" and "Scheduled Event"`,
      },
    ];
  }
  if (isLambdaAlarmAction(event)) return [decideForAlarm(fromLambdaAlarmAction(event), config)];
  if (REQUEST_KEYS.some((key) => key in event)) return [decideForStaticRequest(event, config)];
  throw new InvalidRequestError(
    'event',
    'is not a CloudWatch alarm event (EventBridge, SNS or Lambda alarm action), a scheduled event or a DiagnosticsRequest',
  );
}
