/** The run's timeline: from the alarm's state change through each target's attempts and capture to the report. */
import type { Manifest, ManifestTarget } from '../manifest.ts';
import { formatBytes, formatDuration, parseTime, shortTask } from './format.ts';

export type TimelineKind = 'alarm' | 'run' | 'retry' | 'capture' | 'ok' | 'fail' | 'report';

/** One moment on the timeline (text is untrusted: the page escapes it). */
export interface TimelineEvent {
  at: number;
  kind: TimelineKind;
  what: string;
  detail?: string;
}

/** Above this many targets the timeline shows the run's milestones, and each card keeps its own attempts. */
export const TIMELINE_TARGET_LIMIT = 20;

function who(entry: ManifestTarget): string {
  return `task ${shortTask(entry.target.taskArn)} / ${entry.target.container}`;
}

function targetEvents(entry: ManifestTarget): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const last = entry.attempts.length;
  for (const attempt of entry.attempts) {
    const at = parseTime(attempt.startedAt);
    if (at === undefined) continue;
    const retried = attempt.number < last || attempt.delayBeforeNextMs !== undefined;
    if (attempt.error && retried) {
      const next =
        attempt.delayBeforeNextMs === undefined
          ? ''
          : `; retried after ${formatDuration(attempt.delayBeforeNextMs)}`;
      events.push({
        at,
        kind: 'retry',
        what: `${who(entry)}: attempt ${attempt.number} failed`,
        detail: `${attempt.error.name}: ${attempt.error.message}${next}`,
      });
    } else if (attempt.error) {
      events.push({
        at,
        kind: 'fail',
        what: `${who(entry)}: attempt ${attempt.number} failed, no retry left`,
        detail: `${attempt.error.name}: ${attempt.error.message}`,
      });
    } else if (!entry.capture) {
      events.push({ at, kind: 'run', what: `${who(entry)}: attempt ${attempt.number} started` });
    }
  }
  const capture = entry.capture;
  const started = parseTime(capture?.startedAt);
  const ended = parseTime(capture?.endedAt);
  if (capture && started !== undefined) {
    events.push({
      at: started,
      kind: 'capture',
      what: `${who(entry)}: capture started (${entry.target.script})`,
    });
  }
  if (capture && ended !== undefined) {
    const facts = [
      formatBytes(entry.bytes),
      entry.exitCode === undefined ? undefined : `exit ${entry.exitCode ?? 'unknown'}`,
      formatDuration(capture.durationMs),
      entry.partialReasons?.length ? `partial: ${entry.partialReasons.join(', ')}` : undefined,
    ].filter((fact) => fact !== undefined);
    events.push({
      at: ended,
      kind:
        entry.status === 'succeeded' || entry.status === 'not-applicable'
          ? 'ok'
          : entry.status === 'partial'
            ? 'retry'
            : 'fail',
      what: `${who(entry)}: capture ended, ${entry.status}`,
      detail: facts.join(' · '),
    });
  }
  return events;
}

function milestones(targets: readonly ManifestTarget[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const attemptStarts = targets
    .flatMap((t) => t.attempts.map((a) => parseTime(a.startedAt)))
    .filter((at) => at !== undefined);
  const captureStarts = targets.map((t) => parseTime(t.capture?.startedAt)).filter((at) => at !== undefined);
  const captureEnds = targets.map((t) => parseTime(t.capture?.endedAt)).filter((at) => at !== undefined);
  const retried = targets.filter((t) => t.attempts.length > 1);
  const errors = new Map<string, number>();
  for (const attempt of targets.flatMap((t) => t.attempts.slice(0, -1))) {
    if (attempt.error) errors.set(attempt.error.name, (errors.get(attempt.error.name) ?? 0) + 1);
  }
  if (attemptStarts.length > 0) {
    events.push({
      at: Math.min(...attemptStarts),
      kind: 'run',
      what: `first of ${attemptStarts.length} attempts across ${targets.length} targets started`,
    });
  }
  if (retried.length > 0) {
    const byName = [...errors.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `${count} × ${name}`);
    const at = Math.min(...retried.flatMap((t) => t.attempts.map((a) => parseTime(a.startedAt) ?? Infinity)));
    if (Number.isFinite(at)) {
      events.push({
        at,
        kind: 'retry',
        what: `${retried.length} targets needed more than one attempt`,
        detail: byName.slice(0, 6).join(', '),
      });
    }
  }
  if (captureStarts.length > 0) {
    events.push({
      at: Math.min(...captureStarts),
      kind: 'capture',
      what: `first of ${captureStarts.length} captures started`,
    });
  }
  if (captureEnds.length > 0) {
    const failed = targets.filter((t) => t.status === 'failed').length;
    events.push({
      at: Math.max(...captureEnds),
      kind: failed > 0 ? 'retry' : 'ok',
      what: `last capture ended`,
      detail: `${captureEnds.length} captures; ${failed} targets failed (see their cards)`,
    });
  }
  return events;
}

/** An alarm change further than this from the run's start is a replayed or late event: times count from the run. */
export const ALARM_ORIGIN_WINDOW_MS = 3_600_000;

/** The moment the page's offsets count from: the alarm's state change, or the run's start when it is far off. */
export function timelineOrigin(manifest: Manifest): number | undefined {
  const changed = parseTime(manifest.alarm?.state.timestamp);
  const started = parseTime(manifest.startedAt);
  if (changed === undefined || started === undefined) return changed ?? started;
  return Math.abs(started - changed) <= ALARM_ORIGIN_WINDOW_MS ? changed : started;
}

/** The timeline's events in time order, and the moment offsets count from (see timelineOrigin). */
export function buildTimeline(manifest: Manifest): { origin: number | undefined; events: TimelineEvent[] } {
  const events: TimelineEvent[] = [];
  const alarm = manifest.alarm;
  const previous = parseTime(alarm?.previousState?.timestamp);
  const changed = parseTime(alarm?.state.timestamp);
  if (alarm?.previousState && previous !== undefined) {
    events.push({
      at: previous,
      kind: 'run',
      what: `alarm entered ${alarm.previousState.value} (its previous state)`,
    });
  }
  if (alarm && changed !== undefined) {
    const from = alarm.previousState ? `${alarm.previousState.value} → ` : '';
    events.push({
      at: changed,
      kind: 'alarm',
      what: `alarm state changed: ${from}${alarm.state.value}`,
    });
  }
  const started = parseTime(manifest.startedAt);
  if (started !== undefined)
    events.push({ at: started, kind: 'run', what: 'diagnostics run started (Step Functions execution)' });
  const targeted = manifest.targets;
  events.push(
    ...(targeted.length <= TIMELINE_TARGET_LIMIT ? targeted.flatMap(targetEvents) : milestones(targeted)),
  );
  const resolveError = manifest.errors.find((error) => error.stage === 'ResolveTargets');
  const written = parseTime(manifest.writtenAt);
  if (resolveError && started !== undefined) {
    events.push({
      at: started,
      kind: 'fail',
      what: `target resolution failed: ${resolveError.name}`,
      detail: resolveError.message,
    });
  }
  if (written !== undefined)
    events.push({ at: written, kind: 'report', what: 'manifest and report written' });
  events.sort((a, b) => a.at - b.at);
  return { origin: timelineOrigin(manifest), events };
}
