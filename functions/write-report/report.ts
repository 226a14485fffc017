/**
 * The run manifest, schema version 2, built from whatever the execution reached: pure, so the report
 * renderers (summary.md, report.html) and the completion event can be produced from its result.
 */
import { type AttemptRecord, type FactsRecord, mergeAttempts, targetId } from '#lib/attempts.ts';
import type { ResolvedTargets, Target, TargetResult } from '#lib/contracts.ts';
import {
  type LeftOutTask,
  MANIFEST_SCHEMA_VERSION,
  type Manifest,
  type ManifestAlarm,
  type ManifestError,
  type ManifestTarget,
} from '#lib/manifest.ts';
import { countByStatus, type RunCounts, runCounts, runOutcome } from '#lib/outcome.ts';
import { manifestKey, runPrefix } from '#lib/s3-keys.ts';
import { manifestTaskFacts } from '#lib/targets/task-facts.ts';
import { type CaughtError, MAX_MESSAGE_LENGTH, normaliseCaughtError } from './errors.ts';
import { inlineResults } from './results.ts';

export { type CaughtError, normaliseCaughtError } from './errors.ts';

/** The WriteReport task input: the whole execution state plus the execution's name and start. */
export interface WriteReportInput {
  state: {
    request?: unknown;
    /** resolve-targets' output; `notes` explain sources it could not use (tags, composite children). */
    resolved?: ResolvedTargets & { notes?: unknown };
    results?: unknown[];
    resolveError?: CaughtError;
    runError?: CaughtError;
    /** Set on the Catch path of WriteReport: why the manifest could not be written. */
    reportError?: CaughtError;
  };
  /** `id` is the execution ARN (`$$.Execution.Id`), for the console link. */
  execution: { name: string; startTime: string; id?: string };
}

/** What WriteReport returns into the state (and the execution output): small, whatever the run's size. */
export interface ReportSummary extends Omit<RunCounts, 'targets'> {
  manifestKey: string;
  manifestWritten: boolean;
  outcome: Manifest['outcome'];
}

/** The run's keys: manifest, summary and report sit next to each other under the run prefix. */
export function runFiles(prefix: string): Manifest['files'] {
  const base = prefix.replace(/\/?$/, '/');
  return { manifest: manifestKey(base), summary: `${base}summary.md`, report: `${base}report.html` };
}

/** The run prefix of an execution: resolve-targets' when it ran, else computed the same way. */
export function prefixOf(input: WriteReportInput): string {
  return (
    input.state.resolved?.run?.prefix ?? runPrefix(new Date(input.execution.startTime), input.execution.name)
  );
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown, max = MAX_MESSAGE_LENGTH): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, max + 1) : undefined;
}

function alarmState(value: unknown): ManifestAlarm['state'] | undefined {
  if (!isObject(value) || typeof value.value !== 'string') return undefined;
  const state: ManifestAlarm['state'] = { value: value.value.slice(0, 64) };
  const reason = str(value.reason);
  if (reason !== undefined) state.reason = reason;
  if (isObject(value.reasonData)) state.reasonData = value.reasonData;
  const timestamp = str(value.timestamp, 64);
  if (timestamp !== undefined) state.timestamp = timestamp;
  return state;
}

/** The alarm of the request (start-run put its own words there), or undefined for a manual run. */
export function manifestAlarm(request: unknown): ManifestAlarm | undefined {
  if (!isObject(request)) return undefined;
  const alarm = isObject(request.alarm) ? request.alarm : {};
  const source = isObject(request.source) ? request.source : {};
  const name = str(alarm.name, 255) ?? str(source.alarmName, 255);
  if (name === undefined) return undefined;
  const state = alarmState(alarm.state) ?? {
    value: 'ALARM',
    ...(str(source.stateChangeTime, 64) === undefined ? {} : { timestamp: String(source.stateChangeTime) }),
  };
  const out: ManifestAlarm = { name, state };
  const arn = str(alarm.arn, 2048) ?? str(source.alarmArn, 2048);
  if (arn !== undefined) out.arn = arn;
  const description = str(alarm.description);
  if (description !== undefined) out.description = description;
  const previous = alarmState(alarm.previousState);
  if (previous !== undefined) out.previousState = previous;
  if (typeof alarm.threshold === 'number' && Number.isFinite(alarm.threshold))
    out.threshold = alarm.threshold;
  const comparison = str(alarm.comparisonOperator, 64);
  if (comparison !== undefined) out.comparisonOperator = comparison;
  if (Array.isArray(alarm.metrics)) {
    const metrics = alarm.metrics
      .filter(isObject)
      .map((metric) => [str(metric.namespace, 255), str(metric.metricName, 255)].filter(Boolean).join('/'))
      .filter((metric) => metric !== '')
      .slice(0, 20);
    if (metrics.length > 0) out.metrics = metrics;
  }
  return out;
}

/** The manifest's `target`, without the facts it carried (they are the entry's `task`). */
function manifestTargetOf(target: Target): Target {
  const { facts: _facts, ...rest } = target;
  return rest;
}

/**
 * One target's manifest entry: its result and every attempt; its task facts from the target as
 * ResolveTargets stored it (`stored`, else the result's own target).
 */
export function manifestTarget(
  result: TargetResult,
  records: readonly AttemptRecord[],
  stored?: Target,
): ManifestTarget {
  const status = result.status === 'skipped' ? 'failed' : result.status;
  const entry: ManifestTarget = {
    target: manifestTargetOf(result.target),
    status,
    attempts: mergeAttempts(records, {
      ...(result.attempts === undefined ? {} : { attempts: result.attempts }),
      ...(result.attemptStartedAt === undefined ? {} : { startedAt: result.attemptStartedAt }),
      ...(status === 'failed' && result.error !== undefined ? { error: result.error } : {}),
    }),
  };
  if (status === 'partial') entry.partialReasons = result.partialReasons ?? [];
  const copy = [
    's3Key',
    'bytes',
    'truncated',
    'truncation',
    'exitCode',
    'redactions',
    'task',
    'capture',
  ] as const;
  for (const key of copy) {
    if (result[key] !== undefined) Object.assign(entry, { [key]: result[key] });
  }
  const known = manifestTaskFacts(stored ?? result.target);
  if (known !== undefined) entry.task = { ...known, ...entry.task };
  if (result.error !== undefined) entry.error = result.error;
  const { readiness, readinessKey } = result as TargetResult &
    Pick<ManifestTarget, 'readiness' | 'readinessKey'>;
  if (readiness !== undefined) entry.readiness = readiness;
  if (readinessKey !== undefined) entry.readinessKey = readinessKey;
  return entry;
}

function leftOutOf(resolved: WriteReportInput['state']['resolved']): { list: LeftOutTask[]; count: number } {
  const list = Array.isArray(resolved?.leftOut) ? resolved.leftOut.filter(isObject) : [];
  const count = typeof resolved?.leftOutCount === 'number' ? resolved.leftOutCount : list.length;
  return { list: list as unknown as LeftOutTask[], count: Math.max(count, list.length) };
}

/** Where the targets' results and attempt records come from (the state's inline results by default). */
export interface ManifestSources {
  results: readonly TargetResult[];
  attempts: ReadonlyMap<string, readonly AttemptRecord[]>;
  /** Task and capture facts that run-diagnostic kept out of the state. */
  facts?: ReadonlyMap<string, FactsRecord>;
  /** The targets as ResolveTargets stored them (targets.jsonl, with their task facts), by targetId. */
  targets?: ReadonlyMap<string, Target>;
}

/** Builds the run manifest from the execution state, the targets' results and the attempt records. */
export function buildManifest(
  input: WriteReportInput,
  now: Date,
  sources: ManifestSources = {
    results: inlineResults(
      input.state,
      input.state.runError ? normaliseCaughtError(input.state.runError) : undefined,
    ),
    attempts: new Map(),
  },
): { key: string; manifest: Manifest } {
  const { state, execution } = input;
  const prefix = prefixOf(input);
  const skipped = state.resolved?.skipped ?? [];
  const errors: ManifestError[] = [];
  if (state.resolveError)
    errors.push({ stage: 'ResolveTargets', ...normaliseCaughtError(state.resolveError) });
  if (state.runError) errors.push({ stage: 'RunTargets', ...normaliseCaughtError(state.runError) });
  if (state.reportError) errors.push({ stage: 'WriteReport', ...normaliseCaughtError(state.reportError) });
  const targets = sources.results.map((result) => {
    const id = targetId(result.target);
    const facts = result.status === 'failed' ? undefined : sources.facts?.get(id);
    const withFacts: TargetResult = {
      ...result,
      ...(result.task === undefined && facts?.task !== undefined ? { task: facts.task } : {}),
      ...(result.capture === undefined && facts?.capture !== undefined ? { capture: facts.capture } : {}),
    };
    return manifestTarget(withFacts, sources.attempts.get(id) ?? [], sources.targets?.get(id));
  });
  const byStatus = countByStatus(targets.map((target) => target.status));
  const leftOut = leftOutOf(state.resolved);
  const notes = Array.isArray(state.resolved?.notes)
    ? state.resolved.notes
        .filter((note): note is string => typeof note === 'string')
        .slice(0, 10)
        .map((note) => note.slice(0, MAX_MESSAGE_LENGTH))
    : [];
  const alarm = manifestAlarm(state.request);
  const files = runFiles(prefix);
  return {
    key: files.manifest,
    manifest: {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      executionName: execution.name,
      startedAt: execution.startTime,
      writtenAt: now.toISOString(),
      outcome: runOutcome(byStatus, errors.filter((error) => error.stage !== 'WriteReport').length),
      summary: { targets: targets.length, byStatus, skipped: skipped.length, leftOut: leftOut.count },
      ...(alarm === undefined ? {} : { alarm }),
      request: state.request ?? null,
      targets,
      skipped,
      leftOut: leftOut.list,
      errors,
      ...(notes.length > 0 ? { notes } : {}),
      files,
    },
  };
}

/** The small summary WriteReport returns (the Outcome choice reads `captured`). */
export function summarise(manifest: Manifest, manifestWritten: boolean): ReportSummary {
  const { targets: _targets, ...counts } = runCounts(manifest.summary);
  return { manifestKey: manifest.files.manifest, manifestWritten, outcome: manifest.outcome, ...counts };
}
