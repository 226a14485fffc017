/**
 * What the sandbox tells the user about one execution: a per-target summary taken from what the handlers
 * returned (results, skipped targets, errors), and the run's S3 objects downloaded to a local folder.
 */
import { relative } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { SkippedTarget, Target, TargetResult } from '#lib/contracts.ts';
import { downloadPrefix } from '#lib/run-files.ts';
import { keySegment } from '#lib/s3-keys.ts';
import type { JournalEntry } from './pipeline.ts';

/** What the handlers of one execution produced. */
export interface RunOutcome {
  targets: Target[];
  skipped: SkippedTarget[];
  results: TargetResult[];
  failures: Array<{ state: string; name: string; message: string }>;
  /** How many times RunDiagnostic was called per target (retries included). */
  calls: Map<string, number>;
}

/** Gathers one execution's results from the handler journal. */
export function collectOutcome(journal: readonly JournalEntry[], executionName: string): RunOutcome {
  const outcome: RunOutcome = { targets: [], skipped: [], results: [], failures: [], calls: new Map() };
  const entries = journal.filter((entry) => entry.executionName === executionName);
  const finals = new Map<string, TargetResult>();
  for (const entry of entries) {
    if (entry.error) outcome.failures.push({ state: entry.state, ...entry.error });
    if (entry.state === 'ResolveTargets' && isRecord(entry.output)) {
      outcome.targets = Array.isArray(entry.output.targets) ? (entry.output.targets as Target[]) : [];
      outcome.skipped = Array.isArray(entry.output.skipped) ? (entry.output.skipped as SkippedTarget[]) : [];
    }
    if (entry.state.startsWith('RunDiagnostic') && isRecord(entry.input)) {
      const key = targetKey(entry.input.target as Target);
      outcome.calls.set(key, (outcome.calls.get(key) ?? 0) + 1);
      if (isRecord(entry.output) && entry.output.status !== undefined) {
        finals.set(key, entry.output as unknown as TargetResult);
      }
    }
    if (entry.state === 'WriteReport' && isRecord(entry.input) && isRecord(entry.input.state)) {
      const results = entry.input.state.results;
      if (Array.isArray(results)) {
        for (const result of results as TargetResult[]) {
          if (isRecord(result) && isRecord(result.target)) finals.set(targetKey(result.target), result);
        }
      }
    }
  }
  if (outcome.targets.length === 0) {
    // A distributed run's ResolveTargets returns only counts: the targets are those RunDiagnostic saw.
    const seen = new Map<string, Target>();
    for (const entry of entries) {
      if (entry.state.startsWith('RunDiagnostic') && isRecord(entry.input) && isRecord(entry.input.target)) {
        const target = entry.input.target as unknown as Target;
        if (!seen.has(targetKey(target))) seen.set(targetKey(target), target);
      }
    }
    outcome.targets = [...seen.values()];
  }
  outcome.results = outcome.targets.map(
    (target) =>
      finals.get(targetKey(target)) ?? {
        target,
        status: 'failed',
        error: lastError(entries, target) ?? {
          name: 'NotRun',
          message: 'no result was recorded for this target',
        },
      },
  );
  return outcome;
}

/** Above this many targets the summary counts them by cluster and status and lists only the unhappy ones. */
export const LIST_TARGETS_UP_TO = 20;

/**
 * Readable lines: one per target, one per skipped task, then the handler errors. A large run is summarised
 * per cluster and status, with at most LIST_TARGETS_UP_TO targets that did not succeed listed.
 */
export function formatOutcome(outcome: RunOutcome): string[] {
  const lines: string[] = [];
  if (outcome.results.length === 0 && outcome.skipped.length === 0) lines.push('  no targets were resolved');
  let listed = outcome.results;
  if (outcome.results.length > LIST_TARGETS_UP_TO) {
    const counts = new Map<string, number>();
    for (const result of outcome.results) {
      const key = `${result.target.cluster} ${result.status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, count] of [...counts].sort()) lines.push(`  ${key}: ${count}`);
    listed = outcome.results.filter((result) => result.status !== 'succeeded').slice(0, LIST_TARGETS_UP_TO);
    if (listed.length > 0) lines.push(`  the first ${listed.length} that did not succeed:`);
  }
  for (const result of listed) {
    const t = result.target;
    const head = `  ${result.status.toUpperCase().padEnd(9)} ${shortTask(t.taskArn)}/${t.container} (${t.az ?? '?'}) script=${t.script}`;
    const attempts = result.attempts ?? outcome.calls.get(targetKey(t));
    const facts = [
      result.bytes !== undefined ? `${result.bytes} bytes` : undefined,
      result.exitCode !== undefined ? `exit ${result.exitCode ?? 'unknown'}` : undefined,
      result.truncated ? 'TRUNCATED' : undefined,
      attempts !== undefined ? `${attempts} attempt${attempts === 1 ? '' : 's'}` : undefined,
    ].filter((fact) => fact !== undefined);
    lines.push(`${head}${facts.length ? `  ${facts.join(', ')}` : ''}`);
    if (result.s3Key) lines.push(`            key: ${result.s3Key}`);
    const error = normaliseError(result.error);
    if (error) lines.push(`            error: ${error.name}: ${oneLine(error.message)}`);
    lines.push(...readinessLines((result as { readiness?: unknown }).readiness));
  }
  for (const skipped of outcome.skipped.slice(0, LIST_TARGETS_UP_TO)) {
    const where = [skipped.taskArn ? shortTask(skipped.taskArn) : skipped.cluster, skipped.container]
      .filter(Boolean)
      .join('/');
    lines.push(`  SKIPPED   ${where}: ${oneLine(skipped.reason)}`);
    lines.push(...readinessLines((skipped as { readiness?: unknown }).readiness));
  }
  return lines;
}

const MARKS: Record<string, string> = { fail: 'FAIL', warn: 'WARN', 'not-checked': 'NOT CHECKED' };

/**
 * The readiness findings that are not passes, with evidence and fix: from a skipped entry (a list), a
 * failed target (`{checks, key}`), or the checks' own failure (`{Error, Cause}`).
 */
export function readinessLines(readiness: unknown): string[] {
  const value = readiness as
    | { checks?: unknown; key?: unknown; Error?: unknown; Cause?: unknown }
    | undefined;
  if (isRecord(value) && typeof value.Error === 'string') {
    return [
      `            readiness checks failed: ${value.Error}: ${oneLine(String(value.Cause ?? ''), 200)}`,
    ];
  }
  const checks = Array.isArray(readiness) ? readiness : Array.isArray(value?.checks) ? value.checks : [];
  const lines: string[] = [];
  const passed = checks.filter((check) => isRecord(check) && check.status === 'pass').length;
  for (const check of checks) {
    if (!isRecord(check) || check.status === 'pass') continue;
    const mark = MARKS[String(check.status)] ?? String(check.status);
    lines.push(
      `            ${mark.padEnd(11)} ${String(check.id)}: ${oneLine(String(check.evidence ?? ''), 240)}`,
    );
    if (typeof check.fix === 'string') lines.push(`                        fix: ${oneLine(check.fix, 240)}`);
  }
  if (checks.length > 0) {
    const where = isRecord(value) && typeof value.key === 'string' ? `; all findings: ${value.key}` : '';
    lines.push(`            readiness: ${passed} of ${checks.length} checks passed${where}`);
  }
  return lines;
}

/** The run prefix (`runs/<yyyy>/<mm>/<dd>/<execution-name>/`) holding an execution's objects, if any. */
async function findRunPrefix(
  s3: S3Client,
  bucket: string,
  executionName: string,
): Promise<string | undefined> {
  const marker = `/${keySegment(executionName)}/`;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: 'runs/',
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      const at = (object.Key ?? '').indexOf(marker);
      if (at >= 0) return (object.Key ?? '').slice(0, at + marker.length);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return undefined;
}

/**
 * Downloads every object of the execution's run prefix (`runs/<date>/<execution-name>/...`) into
 * `destination`, keeping the key layout below the prefix. Returns the written files, relative to the cwd.
 */
export async function downloadRun(
  s3: S3Client,
  bucket: string,
  executionName: string,
  destination: string,
): Promise<string[]> {
  const prefix = await findRunPrefix(s3, bucket, executionName);
  if (prefix === undefined) return [];
  const written = await downloadPrefix(s3, bucket, prefix, destination);
  return written.map((path) => relative(process.cwd(), path));
}

/**
 * A target's error as `{name, message}`: handlers give that shape; a Catch gives `{Error, Cause}` whose
 * Cause, for a Lambda error, is the JSON `{errorType, errorMessage}`.
 */
export function normaliseError(error: unknown): { name: string; message: string } | undefined {
  if (!isRecord(error)) return undefined;
  if (typeof error.name === 'string') return { name: error.name, message: String(error.message ?? '') };
  if (typeof error.Error === 'string') {
    const cause = typeof error.Cause === 'string' ? error.Cause : '';
    try {
      const parsed = JSON.parse(cause) as { errorMessage?: unknown };
      if (typeof parsed.errorMessage === 'string') return { name: error.Error, message: parsed.errorMessage };
    } catch {
      // a bare message
    }
    return { name: error.Error, message: cause };
  }
  return undefined;
}

function targetKey(target: Target | undefined): string {
  return target ? `${target.taskArn}|${target.container}|${target.script}` : '?';
}

function lastError(
  entries: readonly JournalEntry[],
  target: Target,
): { name: string; message: string } | undefined {
  const key = targetKey(target);
  return entries
    .filter((entry) => entry.state.startsWith('RunDiagnostic') && isRecord(entry.input))
    .filter((entry) => targetKey((entry.input as { target: Target }).target) === key)
    .map((entry) => entry.error)
    .filter((error) => error !== undefined)
    .at(-1);
}

function shortTask(taskArn: string): string {
  return taskArn.split('/').pop() ?? taskArn;
}

/** One line, control characters shown escaped (`\n`, `\u001b`): messages can carry text from the outside. */
export function oneLine(text: string, max = 300): string {
  let flat = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\n') flat += '\\n';
    else if (char === '\r') flat += '\\r';
    else if (char === '\t') flat += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
      flat += `\\u${code.toString(16).padStart(4, '0')}`;
    else flat += char;
  }
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the run published: its completion events and its chat notifications. */
export interface Published {
  events: Array<{ source: string; detailType: string; detail: Record<string, unknown> }>;
  notifications: Array<{ topicArn: string; message: Record<string, unknown> }>;
}

/** Picks one execution's events (by `detail.executionName`) and notifications (by the message `id`). */
export function publishedFor(
  events: ReadonlyArray<{ source: string; detailType: string; detail: unknown }>,
  messages: ReadonlyArray<{ topicArn: string; message: string }>,
  executionName: string,
): Published {
  const parse = (text: string): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(text);
      return isRecord(value) ? value : {};
    } catch {
      return {};
    }
  };
  return {
    events: events
      .filter((event) => isRecord(event.detail) && event.detail.executionName === executionName)
      .map((event) => ({
        source: event.source,
        detailType: event.detailType,
        detail: event.detail as Record<string, unknown>,
      })),
    notifications: messages
      .map((message) => ({ topicArn: message.topicArn, message: parse(message.message) }))
      .filter((notification) => notification.message.id === executionName),
  };
}

/** Readable lines: each event's outcome, counts and report, each notification's title and text. */
export function formatPublished(published: Published): string[] {
  const lines: string[] = [];
  for (const event of published.events) {
    const detail = event.detail;
    lines.push(
      `  event ${event.source} "${event.detailType}": outcome=${String(detail.outcome)} manifestWritten=${String(detail.manifestWritten)} counts=${JSON.stringify(detail.counts)}`,
    );
    lines.push(`        report: ${String(detail.report)}`);
  }
  if (published.events.length === 0) lines.push('  no completion event was published');
  for (const notification of published.notifications) {
    const content = isRecord(notification.message.content) ? notification.message.content : {};
    lines.push(`  notification to ${notification.topicArn}: ${oneLine(String(content.title ?? ''))}`);
    for (const line of String(content.description ?? '').split('\n')) lines.push(`        ${oneLine(line)}`);
  }
  if (published.notifications.length === 0) lines.push('  no notification was published');
  return lines;
}
