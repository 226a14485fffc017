/** The manifest as a person reads it in a terminal: a header, a table per kind of entry, the files. */
import type { Manifest, ManifestTarget } from '#lib/manifest.ts';
import { lastArnSegment } from '#lib/s3-keys.ts';
import { bytes, cell, duration, table } from './io.ts';

/** `task-id/container` of a target. */
export function targetLabel(target: ManifestTarget['target']): string {
  return `${lastArnSegment(target.taskArn)}/${target.container}`;
}

/** What went wrong or was cut, in a few words. */
export function targetDetail(entry: ManifestTarget): string {
  if (entry.error) return `${entry.error.name}: ${entry.error.message}`;
  if (entry.partialReasons && entry.partialReasons.length > 0) return entry.partialReasons.join(', ');
  return '';
}

/** Counts like `2 succeeded, 1 partial`. */
export function countsLine(manifest: Manifest): string {
  const parts = Object.entries(manifest.summary.byStatus)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  if (manifest.summary.skipped > 0) parts.push(`${manifest.summary.skipped} skipped`);
  if (manifest.summary.leftOut > 0) parts.push(`${manifest.summary.leftOut} left out`);
  return parts.length === 0 ? 'no targets' : parts.join(', ');
}

/** The per-target table. */
export function targetsTable(manifest: Manifest): string {
  return table(
    ['TARGET', 'STATUS', 'EXIT', 'BYTES', 'ATTEMPTS', 'TOOK', 'DETAIL'],
    manifest.targets.map((entry) => [
      targetLabel(entry.target),
      entry.status,
      entry.exitCode ?? '',
      bytes(entry.bytes),
      entry.attempts.length,
      duration(entry.capture?.durationMs),
      targetDetail(entry),
    ]),
  );
}

/** The whole manifest as text; `where` is the manifest's location. */
export function formatManifest(manifest: Manifest, where: string): string {
  const lines = [
    `run:      ${cell(manifest.executionName)}`,
    `outcome:  ${manifest.outcome} (${countsLine(manifest)})`,
  ];
  if (manifest.alarm) {
    lines.push(`alarm:    ${cell(manifest.alarm.name)} (${cell(manifest.alarm.state.value)})`);
    if (manifest.alarm.state.reason) lines.push(`reason:   ${cell(manifest.alarm.state.reason, 300)}`);
  }
  lines.push(`started:  ${manifest.startedAt}`, `written:  ${manifest.writtenAt}`, `manifest: ${where}`);
  if (manifest.targets.length > 0) lines.push('', targetsTable(manifest));
  if (manifest.skipped.length > 0) {
    lines.push('', 'skipped by preflight:');
    lines.push(
      table(
        ['TASK', 'CONTAINER', 'REASON'],
        manifest.skipped.map((s) => [
          s.taskArn ? lastArnSegment(s.taskArn) : s.cluster,
          s.container ?? '',
          s.reason,
        ]),
      ),
    );
  }
  if (manifest.leftOut.length > 0) {
    lines.push('', `left out by sampling: ${manifest.leftOut.length} task(s)`);
    lines.push(
      table(
        ['TASK', 'SERVICE', 'REASON'],
        manifest.leftOut.slice(0, 20).map((t) => [lastArnSegment(t.taskArn), t.service ?? '', t.reason]),
      ),
    );
  }
  for (const error of manifest.errors) {
    lines.push('', `error in ${error.stage}: ${cell(error.name)}: ${cell(error.message, 2000)}`);
  }
  for (const note of manifest.notes ?? []) lines.push(`note: ${cell(note, 500)}`);
  return lines.join('\n');
}
