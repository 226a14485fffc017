/**
 * The three ways an alarm state change reaches start-run, read into one shape: EventBridge
 * "CloudWatch Alarm State Change" events, SNS notifications from an alarm action, and the event of a
 * Lambda alarm action. Nothing here trusts the text it reads: names stay data.
 */
import { InvalidRequestError } from '../errors.ts';
import type { AlarmMetric } from '../request.ts';
import { type AlarmTags, diagnosticsTags, MAX_TAG_VALUE, TAG_PREFIX } from '../targets/alarm-tags.ts';

/** An alarm state change, whatever carried it. */
export interface AlarmNotice {
  via: 'eventbridge' | 'sns' | 'lambda';
  name: string;
  arn?: string;
  /** The new state: ALARM, OK or INSUFFICIENT_DATA. */
  state: string;
  previousState?: string;
  /** ISO 8601 (UTC) time of the state change: the same for every delivery of one change. */
  stateChangeTime: string;
  type: 'metric' | 'composite';
  metrics: AlarmMetric[];
  alarmRule?: string;
  /** ARNs (or names) of the children that made a composite alarm change state. */
  triggeringAlarms?: string[];
  /** A composite alarm's action suppression at this change: Alarm, WaitPeriod or ExtensionPeriod. */
  actionsSuppressedBy?: string;
  /** The alarm in its own words (bounded in size by alarmFacts when the request is built). */
  facts?: AlarmFacts;
  /** The alarm's ecs-diagnostics:* tags, when the event carried its tags (EventBridge, tag propagation on). */
  tags?: AlarmTags;
}

/** What the alarm said about this change, as the event carried it. */
export interface AlarmFacts {
  description?: string;
  reason?: string;
  /** `reasonData`, the JSON string as it came. */
  reasonData?: string;
  previousReason?: string;
  previousTimestamp?: string;
  threshold?: number;
  comparisonOperator?: string;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function compact(facts: AlarmFacts): AlarmFacts | undefined {
  const entries = Object.entries(facts).filter(([, value]) => value !== undefined);
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as AlarmFacts);
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string, required: true): string;
function text(value: unknown, field: string, required?: false): string | undefined;
function text(value: unknown, field: string, required = false): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (value === undefined || value === null || value === '') {
    if (required) throw new InvalidRequestError(field, 'is missing from the alarm event');
    return undefined;
  }
  throw new InvalidRequestError(field, `must be a string, got ${typeof value}`);
}

/**
 * CloudWatch writes `2025-03-14T09:27:41.516+0000`; returns the ISO form in UTC
 * (`2025-03-14T09:27:41.516Z`) or throws naming the field.
 */
export function normaliseTimestamp(value: unknown, field: string): string {
  const raw = text(value, field, true);
  const withColon = raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(withColon);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(ms)) {
    throw new InvalidRequestError(field, 'must be an ISO 8601 timestamp');
  }
  return new Date(ms).toISOString();
}

/** Parses a JSON string field (reasonData, Sns.Message); throws naming the field. */
function parseJsonField(value: unknown, field: string): Json {
  const raw = text(value, field, true);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new InvalidRequestError(field, 'is not valid JSON', { cause: error });
  }
  if (!isObject(parsed)) throw new InvalidRequestError(field, 'must be a JSON object');
  return parsed;
}

/** Dimensions given as `{Name: Value}` (EventBridge) or `[{name, value}]` (SNS, DescribeAlarms). */
export function readDimensions(value: unknown, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((entry, index) => {
      if (!isObject(entry)) throw new InvalidRequestError(`${field}[${index}]`, 'must be an object');
      const name = text(entry.name ?? entry.Name, `${field}[${index}].name`, true);
      const dimensionValue = text(entry.value ?? entry.Value, `${field}[${index}].value`, true);
      out[name] = dimensionValue;
    });
    return out;
  }
  if (!isObject(value)) throw new InvalidRequestError(field, 'must be an object or a list of {name, value}');
  for (const [name, dimensionValue] of Object.entries(value)) {
    out[name] = text(dimensionValue, `${field}.${name.slice(0, 64)}`, true);
  }
  return out;
}

/** EventBridge / Lambda `configuration.metrics[]` → the metrics with a metricStat (expressions carry none). */
function metricsFromConfiguration(configuration: Json | undefined, field: string): AlarmMetric[] {
  const list = configuration?.metrics;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new InvalidRequestError(`${field}.metrics`, 'must be a list');
  const metrics: AlarmMetric[] = [];
  list.forEach((entry, index) => {
    const at = `${field}.metrics[${index}]`;
    if (!isObject(entry)) throw new InvalidRequestError(at, 'must be an object');
    const metric = isObject(entry.metricStat) ? entry.metricStat.metric : undefined;
    if (!isObject(metric)) return;
    metrics.push({
      id: text(entry.id, `${at}.id`),
      namespace: text(metric.namespace, `${at}.metricStat.metric.namespace`),
      metricName: text(metric.name, `${at}.metricStat.metric.name`),
      dimensions: readDimensions(metric.dimensions, `${at}.metricStat.metric.dimensions`),
    });
  });
  return metrics;
}

/** SNS `Trigger`: one metric (MetricName, Dimensions) or `Metrics[]` for metric math and anomaly bands. */
function metricsFromSnsTrigger(trigger: unknown, field: string): AlarmMetric[] {
  if (!isObject(trigger)) return [];
  if (Array.isArray(trigger.Metrics)) {
    const metrics: AlarmMetric[] = [];
    trigger.Metrics.forEach((entry, index) => {
      const at = `${field}.Metrics[${index}]`;
      if (!isObject(entry)) throw new InvalidRequestError(at, 'must be an object');
      const metric = isObject(entry.MetricStat) ? entry.MetricStat.Metric : undefined;
      if (!isObject(metric)) return;
      metrics.push({
        id: text(entry.Id, `${at}.Id`),
        namespace: text(metric.Namespace, `${at}.MetricStat.Metric.Namespace`),
        metricName: text(metric.MetricName, `${at}.MetricStat.Metric.MetricName`),
        dimensions: readDimensions(metric.Dimensions, `${at}.MetricStat.Metric.Dimensions`),
      });
    });
    return metrics;
  }
  if (trigger.MetricName === undefined && trigger.Dimensions === undefined) return [];
  return [
    {
      namespace: text(trigger.Namespace, `${field}.Namespace`),
      metricName: text(trigger.MetricName, `${field}.MetricName`),
      dimensions: readDimensions(trigger.Dimensions, `${field}.Dimensions`),
    },
  ];
}

/** The `triggeringAlarms[].arn` of a composite alarm's reasonData, when it has any. */
function triggeringFromReasonData(reasonData: unknown, field: string): string[] | undefined {
  if (reasonData === undefined) return undefined;
  let parsed: Json;
  try {
    parsed = parseJsonField(reasonData, field);
  } catch {
    return undefined; // reasonData is informative only; a metric alarm's is not about children
  }
  if (!Array.isArray(parsed.triggeringAlarms)) return undefined;
  return parsed.triggeringAlarms
    .map((entry) => (isObject(entry) && typeof entry.arn === 'string' ? entry.arn : undefined))
    .filter((arn): arn is string => arn !== undefined);
}

/** The `alarmData` of a Lambda alarm action and the `detail` of an EventBridge event share one shape. */
function fromAlarmData(
  data: Json,
  field: string,
  via: 'eventbridge' | 'lambda',
  arn: string | undefined,
): AlarmNotice {
  const state = isObject(data.state) ? data.state : undefined;
  if (state === undefined) throw new InvalidRequestError(`${field}.state`, 'is missing from the alarm event');
  const previous = isObject(data.previousState) ? data.previousState : undefined;
  const configuration = isObject(data.configuration) ? data.configuration : undefined;
  const alarmRule = text(configuration?.alarmRule, `${field}.configuration.alarmRule`);
  const notice: AlarmNotice = {
    via,
    name: text(data.alarmName, `${field}.alarmName`, true),
    state: text(state.value, `${field}.state.value`, true),
    stateChangeTime: normaliseTimestamp(state.timestamp, `${field}.state.timestamp`),
    type: alarmRule === undefined ? 'metric' : 'composite',
    metrics: metricsFromConfiguration(configuration, `${field}.configuration`),
  };
  if (arn !== undefined) notice.arn = arn;
  const suppressedBy = text(state.actionsSuppressedBy, `${field}.state.actionsSuppressedBy`);
  if (suppressedBy !== undefined) notice.actionsSuppressedBy = suppressedBy;
  const previousState = text(previous?.value, `${field}.previousState.value`);
  if (previousState !== undefined) notice.previousState = previousState;
  const facts = compact({
    description: optionalText(configuration?.description),
    reason: optionalText(state.reason),
    reasonData: optionalText(state.reasonData),
    previousReason: optionalText(previous?.reason),
    previousTimestamp: optionalText(previous?.timestamp),
  });
  if (facts !== undefined) notice.facts = facts;
  if (alarmRule !== undefined) {
    notice.alarmRule = alarmRule;
    const triggering = triggeringFromReasonData(state.reasonData, `${field}.state.reasonData`);
    if (triggering !== undefined) notice.triggeringAlarms = triggering;
  }
  return notice;
}

/** True when the event looks like an EventBridge alarm state change. */
export function isEventBridgeAlarm(event: Json): boolean {
  return event['detail-type'] === 'CloudWatch Alarm State Change' && event.source === 'aws.cloudwatch';
}

/** True when the event is what a Lambda alarm action sends. */
export function isLambdaAlarmAction(event: Json): boolean {
  return event.source === 'aws.cloudwatch' && isObject(event.alarmData);
}

/**
 * The ecs-diagnostics:* tags of an event whose alarm propagates its tags: `detail.alarmTags` (an object of
 * key → value; absent or empty when the alarm has none) with `detail.alarmTagsStatus` SUCCESS. Undefined
 * for any other status, or when an ecs-diagnostics value is not a tag value: ListTagsForResource decides then.
 */
export function propagatedTags(detail: Json): AlarmTags | undefined {
  if (detail.alarmTagsStatus !== 'SUCCESS') return undefined;
  const carried = detail.alarmTags ?? {};
  if (!isObject(carried)) return undefined;
  const pairs = Object.entries(carried).filter(([key]) => key.startsWith(TAG_PREFIX));
  const valid = pairs.every(([, value]) => typeof value === 'string' && value.length <= MAX_TAG_VALUE);
  return valid ? diagnosticsTags(pairs as [string, string][]) : undefined;
}

/** Reads an EventBridge "CloudWatch Alarm State Change" event. */
export function fromEventBridge(event: Json): AlarmNotice {
  if (!isObject(event.detail)) throw new InvalidRequestError('detail', 'is missing from the alarm event');
  const resources = Array.isArray(event.resources) ? event.resources : [];
  const arn = resources.find(
    (entry): entry is string => typeof entry === 'string' && entry.includes(':alarm:'),
  );
  const notice = fromAlarmData(event.detail, 'detail', 'eventbridge', arn);
  const tags = propagatedTags(event.detail);
  if (tags !== undefined) notice.tags = tags;
  return notice;
}

/** Reads the event of a Lambda alarm action. */
export function fromLambdaAlarmAction(event: Json): AlarmNotice {
  if (!isObject(event.alarmData)) throw new InvalidRequestError('alarmData', 'is missing');
  return fromAlarmData(event.alarmData, 'alarmData', 'lambda', text(event.alarmArn, 'alarmArn'));
}

/** Reads the `Sns.Message` of one SNS record sent by an alarm action. */
export function fromSnsMessage(message: unknown, field: string): AlarmNotice {
  const body = parseJsonField(message, field);
  const alarmRule = text(body.AlarmRule, `${field}.AlarmRule`);
  const notice: AlarmNotice = {
    via: 'sns',
    name: text(body.AlarmName, `${field}.AlarmName`, true),
    state: text(body.NewStateValue, `${field}.NewStateValue`, true),
    stateChangeTime: normaliseTimestamp(body.StateChangeTime, `${field}.StateChangeTime`),
    type: alarmRule === undefined ? 'metric' : 'composite',
    metrics: metricsFromSnsTrigger(body.Trigger, `${field}.Trigger`),
  };
  const arn = text(body.AlarmArn, `${field}.AlarmArn`);
  if (arn !== undefined) notice.arn = arn;
  const previousState = text(body.OldStateValue, `${field}.OldStateValue`);
  if (previousState !== undefined) notice.previousState = previousState;
  const trigger = isObject(body.Trigger) ? body.Trigger : undefined;
  const facts = compact({
    description: optionalText(body.AlarmDescription),
    reason: optionalText(body.NewStateReason),
    threshold:
      typeof trigger?.Threshold === 'number' && Number.isFinite(trigger.Threshold)
        ? trigger.Threshold
        : undefined,
    comparisonOperator: optionalText(trigger?.ComparisonOperator),
  });
  if (facts !== undefined) notice.facts = facts;
  if (alarmRule !== undefined) {
    notice.alarmRule = alarmRule;
    if (Array.isArray(body.TriggeringChildren)) {
      notice.triggeringAlarms = body.TriggeringChildren.map((child) =>
        isObject(child) && typeof child.Arn === 'string' ? child.Arn : undefined,
      ).filter((arn): arn is string => arn !== undefined);
    }
  }
  return notice;
}

/** Longest reason or description kept; CloudWatch's own limits are 1023 and 1024 characters. */
export const MAX_ALARM_TEXT = 2048;
/** Largest reasonData kept, as JSON; larger ones keep their scalar fields and the ends of their lists. */
export const MAX_REASON_DATA = 4096;
const REASON_DATA_LIST = 10;

function bounded(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.length > MAX_ALARM_TEXT ? `${value.slice(0, MAX_ALARM_TEXT)}…` : value;
}

/** reasonData parsed and bounded: undefined when it is not a JSON object or cannot be made small. */
export function boundedReasonData(raw: string | undefined): Json | undefined {
  if (raw === undefined || raw.length > 1024 * 1024) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(parsed)) return undefined;
  if (JSON.stringify(parsed).length <= MAX_REASON_DATA) return parsed;
  const reduced: Json = { truncated: true };
  for (const [key, value] of Object.entries(parsed).slice(0, 30)) {
    if (typeof value === 'number' || typeof value === 'boolean') reduced[key.slice(0, 64)] = value;
    else if (typeof value === 'string' && value.length <= 256) reduced[key.slice(0, 64)] = value;
    else if (Array.isArray(value)) reduced[key.slice(0, 64)] = value.slice(-REASON_DATA_LIST);
  }
  return JSON.stringify(reduced).length <= MAX_REASON_DATA ? reduced : { truncated: true };
}

/**
 * The request's `alarm` facts: the state and its reason, reasonData, the previous state, the description,
 * threshold and comparison, each bounded so that a huge reason never blows the execution state.
 */
export function alarmFacts(notice: AlarmNotice): Json {
  const facts = notice.facts ?? {};
  const reasonData = boundedReasonData(facts.reasonData);
  const threshold =
    facts.threshold ?? (typeof reasonData?.threshold === 'number' ? reasonData.threshold : undefined);
  const state: Json = { value: notice.state.slice(0, 64), timestamp: notice.stateChangeTime };
  const reason = bounded(facts.reason);
  if (reason !== undefined) state.reason = reason;
  if (reasonData !== undefined) state.reasonData = reasonData;
  const out: Json = { state };
  if (notice.previousState !== undefined) {
    const previous: Json = { value: notice.previousState.slice(0, 64) };
    const previousReason = bounded(facts.previousReason);
    if (previousReason !== undefined) previous.reason = previousReason;
    if (facts.previousTimestamp !== undefined) {
      try {
        previous.timestamp = normaliseTimestamp(facts.previousTimestamp, 'previousState.timestamp');
      } catch {
        // an unreadable previous timestamp is left out
      }
    }
    out.previousState = previous;
  }
  const description = bounded(facts.description);
  if (description !== undefined) out.description = description;
  if (threshold !== undefined) out.threshold = threshold;
  if (facts.comparisonOperator !== undefined) out.comparisonOperator = facts.comparisonOperator.slice(0, 64);
  return out;
}
