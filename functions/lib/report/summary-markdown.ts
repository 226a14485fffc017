/** `summary.md`: the few lines a person pastes into a ticket. */

import { s3ConsoleLink, s3Uri } from '../console-links.ts';
import type { Manifest, ManifestTarget } from '../manifest.ts';
import { clip, escapeMarkdown } from './escape.ts';
import {
  formatBytes,
  formatDuration,
  formatTime,
  orderTargets,
  serviceOf,
  shortTask,
  statusCounts,
} from './format.ts';

/** At most this many target lines; the rest are counted (every target is on the report page). */
export const SUMMARY_TARGET_LINES = 50;
const SUMMARY_SKIP_LINES = 10;

function md(text: string | undefined, max = 300): string {
  return escapeMarkdown(clip(text ?? '', max));
}

function targetLine(entry: ManifestTarget): string {
  const t = entry.target;
  const facts = [
    entry.exitCode === undefined ? undefined : `exit ${entry.exitCode ?? 'unknown'}`,
    entry.bytes === undefined ? undefined : formatBytes(entry.bytes),
    entry.redactions ? `${entry.redactions} redacted` : undefined,
    entry.capture ? formatDuration(entry.capture.durationMs) : undefined,
    `${entry.attempts.length} attempt${entry.attempts.length === 1 ? '' : 's'}`,
    entry.partialReasons?.length ? `partial: ${entry.partialReasons.join(', ')}` : undefined,
  ].filter((fact) => fact !== undefined);
  const error = entry.error ? ` — ${md(entry.error.name, 100)}: ${md(entry.error.message, 200)}` : '';
  return `- **${entry.status.toUpperCase()}** ${md(serviceOf(entry), 100)} · task ${md(shortTask(t.taskArn), 80)} · ${md(t.container, 100)} · ${md(t.script, 60)} · ${facts.join(' · ')}${error}`;
}

/** Renders `summary.md` for a run: the alarm, the outcome, one line per target (the first 50), skips. */
export function renderSummaryMarkdown(
  manifest: Manifest,
  options: { bucket?: string; region?: string } = {},
): string {
  const lines: string[] = [];
  const alarm = manifest.alarm;
  lines.push(
    `### ECS diagnostics: ${manifest.outcome.toUpperCase()} — ${md(alarm?.name ?? manifest.executionName)}`,
  );
  lines.push('');
  if (alarm) {
    const state = `${md(alarm.state.value, 40)} at ${md(formatTime(alarm.state.timestamp))}`;
    lines.push(
      `- Alarm: ${md(alarm.name)} → ${state}${alarm.state.reason ? `: ${md(alarm.state.reason, 500)}` : ''}`,
    );
  } else {
    lines.push('- Alarm: none (a manual or scheduled run)');
  }
  lines.push(
    `- Outcome: **${manifest.outcome}** — ${manifest.summary.targets} target${manifest.summary.targets === 1 ? '' : 's'} (${statusCounts(manifest)}); ${manifest.summary.skipped} skipped by preflight, ${manifest.summary.leftOut} left out by sampling`,
  );
  lines.push(
    `- Run: ${md(manifest.executionName, 80)}, started ${md(formatTime(manifest.startedAt), 80)}, report ${md(formatTime(manifest.writtenAt), 80)}`,
  );
  for (const error of manifest.errors.slice(0, 5)) {
    lines.push(`- Error in ${error.stage}: ${md(error.name, 100)}: ${md(error.message, 400)}`);
  }
  const ordered = orderTargets(manifest.targets).sort(
    (a, b) => Number(a.status === 'succeeded') - Number(b.status === 'succeeded'),
  );
  if (ordered.length > 0) {
    lines.push('');
    lines.push('Targets:');
    for (const entry of ordered.slice(0, SUMMARY_TARGET_LINES)) lines.push(targetLine(entry));
    if (ordered.length > SUMMARY_TARGET_LINES) {
      lines.push(
        `- … and ${ordered.length - SUMMARY_TARGET_LINES} more targets: every one is in report.html`,
      );
    }
  }
  if (manifest.skipped.length > 0) {
    lines.push('');
    lines.push(`Skipped by preflight (${manifest.skipped.length}):`);
    for (const skip of manifest.skipped.slice(0, SUMMARY_SKIP_LINES)) {
      const where = [
        skip.taskArn ? `task ${md(shortTask(skip.taskArn), 80)}` : md(skip.cluster, 100),
        skip.container ? md(skip.container, 100) : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(' · ');
      lines.push(`- ${where}: ${md(skip.reason, 300)}`);
    }
    if (manifest.skipped.length > SUMMARY_SKIP_LINES) {
      lines.push(`- … and ${manifest.skipped.length - SUMMARY_SKIP_LINES} more in report.html`);
    }
  }
  if (manifest.leftOut.length > 0) {
    const reasons = new Map<string, number>();
    for (const task of manifest.leftOut) reasons.set(task.reason, (reasons.get(task.reason) ?? 0) + 1);
    const byReason = [...reasons.entries()]
      .slice(0, 5)
      .map(([reason, count]) => `${count} × ${md(reason, 200)}`)
      .join('; ');
    lines.push('');
    lines.push(`Left out by sampling (${manifest.leftOut.length}): ${byReason}`);
  }
  lines.push('');
  const link = s3ConsoleLink(options.bucket, manifest.files.report, options.region);
  lines.push(
    `Report: \`${s3Uri(options.bucket, manifest.files.report)}\`${link ? ` ([open in the S3 console](${link}))` : ''} · manifest: \`${s3Uri(options.bucket, manifest.files.manifest)}\``,
  );
  return `${lines.join('\n')}\n`;
}
