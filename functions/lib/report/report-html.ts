/** `report.html`: one self-contained page per run (no script, no external request, every untrusted text escaped). */
import { createHash } from 'node:crypto';
import { s3ConsoleLink, s3Uri } from '../console-links.ts';
import type { Manifest, ManifestTarget, ReadinessCheck, TargetStatus } from '../manifest.ts';
import { clip, escapeAttribute, escapeHtml } from './escape.ts';
import type { Excerpts, OutputExcerpt } from './excerpts.ts';
import {
  comparisonSymbol,
  formatBytes,
  formatDuration,
  formatOffset,
  formatTime,
  orderTargets,
  parseTime,
  reasonFacts,
  STATUS_ORDER,
  serviceOf,
  shortTask,
} from './format.ts';
import { REPORT_CSS } from './styles.ts';
import { ALARM_ORIGIN_WINDOW_MS, buildTimeline, timelineOrigin } from './timeline.ts';

/** Runs with at most this many targets open every card; bigger runs open only the first failed/partial ones. */
export const OPEN_CARDS = 12;
/** Skipped and left-out tasks listed on the page; the rest are counted (all are in the manifest). */
export const MAX_LISTED_TASKS = 500;

/** The Content-Security-Policy of the page: nothing but its own inline stylesheet, no script at all. */
export const REPORT_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(REPORT_CSS).digest('base64')}'; script-src 'none'; img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'`;

export interface ReportHtmlOptions {
  /** The bucket, to show full `s3://` URIs. */
  bucket?: string;
  /** The bucket's region, for S3 console links (followed only when clicked: nothing loads). */
  region?: string;
}

const e = (text: string | undefined | null, max = 2000): string => escapeHtml(clip(text ?? '', max));
const ft = (value: string | undefined): string => e(formatTime(value), 80);

/** `s3://…` as code, with a link to its S3 console page when the region is known. */
function where(key: string, options: ReportHtmlOptions): string {
  const link = s3ConsoleLink(options.bucket, key, options.region);
  const uri = `<code>${e(s3Uri(options.bucket, key), 1100)}</code>`;
  return link === undefined
    ? uri
    : `${uri} (<a href="${escapeAttribute(link)}" rel="noreferrer">S3 console</a>)`;
}

function statusLabel(status: TargetStatus): string {
  return status === 'not-applicable' ? 'NOT APPLICABLE' : status.toUpperCase();
}

function badge(status: TargetStatus | Manifest['outcome'], big = false): string {
  return `<span class="badge s-${status}${big ? ' big' : ''}">${statusLabel(status)}</span>`;
}

function facts(rows: Array<[string, string | undefined]>): string {
  const kept = rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
  if (kept.length === 0) return '';
  return `<dl class="facts">${kept.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

function header(manifest: Manifest): string {
  const title = manifest.alarm?.name ?? `run ${manifest.executionName}`;
  const by = manifest.summary.byStatus;
  const tile = (count: number, label: string) => `<li><b>${count}</b><span>${label}</span></li>`;
  return `<header class="top o-${manifest.outcome}">
<p class="kicker">ECS diagnostics run</p>
<h1>${e(title, 300)}</h1>
<p>${badge(manifest.outcome, true)} <span class="muted">${manifest.summary.targets} target${manifest.summary.targets === 1 ? '' : 's'} · started ${ft(manifest.startedAt)} · report ${ft(manifest.writtenAt)}</span></p>
<ul class="tiles">${tile(by.succeeded ?? 0, 'succeeded')}${tile(by.partial ?? 0, 'partial')}${tile(by['not-applicable'] ?? 0, 'not applicable')}${tile(by.failed ?? 0, 'failed')}${tile(manifest.summary.skipped, 'skipped by preflight')}${tile(manifest.summary.leftOut, 'left out by sampling')}</ul>
</header>`;
}

function alarmSection(manifest: Manifest): string {
  const alarm = manifest.alarm;
  if (!alarm) {
    return `<h2>Why it ran</h2><div class="panel"><p>No alarm: a manual or scheduled run.</p></div>`;
  }
  const reason = reasonFacts(alarm.state.reasonData);
  const threshold =
    alarm.threshold === undefined
      ? undefined
      : `${e(comparisonSymbol(alarm.comparisonOperator) ?? '', 60)} ${alarm.threshold}`;
  let datapoints = '';
  if (reason && reason.evaluated.length > 0) {
    datapoints = `<h4>Evaluated datapoints</h4><div class="scroll"><table><tr><th>time</th><th>value</th></tr>${reason.evaluated
      .map(
        (point) =>
          `<tr><td>${e(formatTime(point.timestamp), 60)}</td><td class="mono">${point.value}</td></tr>`,
      )
      .join('')}</table></div>`;
  }
  return `<h2>Why it fired</h2><div class="panel">
<p class="reason"><b>${e(alarm.state.value, 40)}</b> at ${e(formatTime(alarm.state.timestamp), 60)}${alarm.state.reason ? ` — ${e(alarm.state.reason)}` : ''}</p>
${facts([
  ['description', alarm.description ? e(alarm.description, 1024) : undefined],
  ['threshold', threshold],
  [
    'statistic',
    reason?.statistic
      ? `${e(reason.statistic, 40)}${reason.period ? ` over ${reason.period} s` : ''}`
      : undefined,
  ],
  [
    'recent datapoints',
    reason && reason.recent.length > 0
      ? `<span class="mono">${reason.recent.map((v) => Number(v.toFixed(3))).join(', ')}</span>`
      : undefined,
  ],
  [
    'metrics',
    alarm.metrics?.length
      ? alarm.metrics
          .slice(0, 20)
          .map((m) => `<code>${e(m, 200)}</code>`)
          .join(', ')
      : undefined,
  ],
  [
    'previous state',
    alarm.previousState
      ? `${e(alarm.previousState.value, 40)} since ${e(formatTime(alarm.previousState.timestamp), 60)}${alarm.previousState.reason ? ` — ${e(alarm.previousState.reason)}` : ''}`
      : undefined,
  ],
  ['alarm ARN', alarm.arn ? `<code>${e(alarm.arn, 400)}</code>` : undefined],
])}${datapoints}</div>`;
}

function problems(manifest: Manifest): string {
  if (manifest.errors.length === 0 && !manifest.notes?.length) return '';
  const errors = manifest.errors
    .map(
      (error) =>
        `<p class="err"><b>${e(error.stage, 40)}: ${e(error.name, 200)}</b> — ${e(error.message)}</p>`,
    )
    .join('');
  const notes = manifest.notes?.length
    ? `<h4>Notes</h4><ul>${manifest.notes
        .slice(0, 20)
        .map((note) => `<li>${e(note)}</li>`)
        .join('')}</ul>`
    : '';
  return `<h2>Run errors and notes</h2><div class="panel">${errors}${notes}</div>`;
}

function timelineSection(manifest: Manifest): string {
  const { origin, events } = buildTimeline(manifest);
  const items = events
    .map((event) => {
      const when =
        origin === undefined ? ft(new Date(event.at).toISOString()) : formatOffset(event.at, origin);
      const detail = event.detail ? `<span class="detail">${e(event.detail, 600)}</span>` : '';
      return `<li class="k-${event.kind}"><time datetime="${new Date(event.at).toISOString()}" title="${ft(new Date(event.at).toISOString())}">${when}</time><span class="what">${e(event.what, 400)}</span>${detail}</li>`;
    })
    .join('\n');
  const from =
    origin === undefined
      ? ''
      : ` <span class="muted">(times from ${ft(new Date(origin).toISOString())})</span>`;
  const changed = parseTime(manifest.alarm?.state.timestamp);
  const started = parseTime(manifest.startedAt);
  const gap = changed === undefined || started === undefined ? 0 : started - changed;
  const late =
    Math.abs(gap) > ALARM_ORIGIN_WINDOW_MS
      ? `<p class="why">The run started ${formatDuration(Math.abs(gap))} ${gap > 0 ? 'after' : 'before'} the alarm's state change (a replayed, delayed or manual event): times count from the run's start.</p>`
      : '';
  return `<h2>Timeline${from}</h2><div class="panel" id="timeline">${late}<ol class="timeline">${items || '<li><span class="what">no timed events were recorded</span></li>'}</ol></div>`;
}

const PARTIAL_WORDS: Record<string, string> = {
  'exit-code': 'the script exited with a non-zero code',
  'output-cap': 'the output reached its cap and the rest was cut',
  deadline: 'the run deadline cut the capture',
  'session-interrupted': 'the data channel dropped after output was stored',
  'no-exit-status': 'the session closed before the script’s end was seen',
};

const CHECK_MARKS: Record<ReadinessCheck['status'], string> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  'not-checked': '–',
};

function readinessList(checks: readonly ReadinessCheck[] | undefined): string {
  if (!checks?.length) return '';
  const items = checks.slice(0, 30).map((check) => {
    const evidence = check.evidence ? ` <span class="muted">— ${e(check.evidence, 600)}</span>` : '';
    const fix = check.fix ? `<br><span>Fix: ${e(check.fix, 600)}</span>` : '';
    return `<li><b class="c-${check.status}">${CHECK_MARKS[check.status] ?? '?'} ${e(check.status, 20)}</b> ${e(check.title, 200)} <code class="muted">${e(check.id, 80)}</code>${evidence}${fix}</li>`;
  });
  return `<ul class="checks">${items.join('')}</ul>`;
}

function excerptBlock(
  entry: ManifestTarget,
  excerpt: OutputExcerpt | undefined,
  options: ReportHtmlOptions,
): string {
  if (!entry.s3Key) return '<h4>Output</h4><p class="muted">No output was stored.</p>';
  const stored = where(entry.s3Key, options);
  if (!excerpt) return `<h4>Output</h4><p class="muted">Not shown here; stored at ${stored}.</p>`;
  if (excerpt.error)
    return `<h4>Output</h4><p class="err">Could not read it: ${e(excerpt.error, 300)}. Stored at ${stored}.</p>`;
  const rest = excerpt.totalBytes - excerpt.excerptBytes;
  const size =
    rest > 0
      ? `first ${formatBytes(excerpt.excerptBytes)} of ${formatBytes(excerpt.totalBytes)} (${formatBytes(rest)} more) — the whole output is at ${stored}`
      : `all ${formatBytes(excerpt.totalBytes)} — at ${stored}`;
  const body =
    excerpt.text === ''
      ? '<span class="muted">(empty)</span>'
      : escapeHtml(excerpt.text.replace(/\r\n/g, '\n'));
  return `<h4>Output</h4><p class="muted">${size}</p><pre class="out">${body}</pre>`;
}

function card(
  entry: ManifestTarget,
  index: number,
  open: boolean,
  excerpts: Excerpts,
  options: ReportHtmlOptions,
  origin: number | undefined,
): string {
  const t = entry.target;
  const sum = [
    entry.exitCode === undefined ? undefined : `exit ${entry.exitCode ?? '?'}`,
    entry.bytes === undefined ? undefined : formatBytes(entry.bytes),
    entry.redactions ? `${entry.redactions} redacted` : undefined,
    entry.capture ? formatDuration(entry.capture.durationMs) : undefined,
    `${entry.attempts.length} attempt${entry.attempts.length === 1 ? '' : 's'}`,
  ].filter((part) => part !== undefined);
  const why = entry.partialReasons?.length
    ? `<p class="why">Partial: ${entry.partialReasons.map((reason) => e(PARTIAL_WORDS[reason] ?? reason, 200)).join('; ')}${entry.exitCode ? ` (exit code ${entry.exitCode})` : ''}.</p>`
    : entry.status === 'not-applicable'
      ? `<p class="why">Not applicable: the script found nothing to diagnose in this container (exit code ${entry.exitCode ?? '?'}).</p>`
      : '';
  const error = entry.error
    ? `<p class="err"><b>${e(entry.error.name, 200)}</b> — ${e(entry.error.message)}</p>`
    : '';
  const at = (value: string | undefined) => {
    const ms = parseTime(value);
    if (ms === undefined) return value ? e(value, 60) : undefined;
    return `${ft(value)}${origin === undefined ? '' : ` <span class="muted">(${formatOffset(ms, origin)})</span>`}`;
  };
  const task = entry.task;
  const details = facts([
    ['status', badge(entry.status)],
    [
      'exit code',
      entry.exitCode === undefined ? undefined : String(entry.exitCode ?? 'unknown (no exit status seen)'),
    ],
    ['bytes', entry.bytes === undefined ? undefined : `${formatBytes(entry.bytes)} (${entry.bytes} B)`],
    ['redactions', entry.redactions === undefined ? undefined : String(entry.redactions)],
    [
      'truncated',
      entry.truncated ? `yes${entry.truncation ? `, by the ${e(entry.truncation, 40)}` : ''}` : undefined,
    ],
    [
      'capture',
      entry.capture
        ? `${at(entry.capture.startedAt)} → ${at(entry.capture.endedAt)}, ${formatDuration(entry.capture.durationMs)}`
        : undefined,
    ],
    [
      'newlines',
      entry.capture
        ? entry.capture.newlines === 'stty-onlcr-off'
          ? 'pty translation turned off in the container'
          : 'pty CRLF undone in capture'
        : undefined,
    ],
    ['cluster', `<code>${e(t.cluster, 300)}</code>`],
    ['task', `<code>${e(t.taskArn, 400)}</code>`],
    [
      'container',
      `<code>${e(t.container, 300)}</code>${t.runtimeId ? ` <span class="muted">runtime ${e(t.runtimeId, 120)}</span>` : ''}`,
    ],
    ['script', `<code>${e(t.script, 100)}</code>`],
    ['image', task?.image ? `<code>${e(task.image, 400)}</code>` : undefined],
    ['image digest', task?.imageDigest ? `<code>${e(task.imageDigest, 200)}</code>` : undefined],
    ['task definition', task?.taskDefinition ? `<code>${e(task.taskDefinition, 300)}</code>` : undefined],
    [
      'launch type',
      task?.launchType
        ? `${e(task.launchType, 40)}${task.platformVersion ? ` · platform ${e(task.platformVersion, 40)}` : ''}`
        : undefined,
    ],
    ['task started', at(task?.startedAt)],
    ['AZ', (task?.az ?? t.az) ? e(task?.az ?? t.az, 60) : undefined],
  ]);
  const attempts = entry.attempts.length
    ? `<h4>Attempts</h4><ol class="attempts">${entry.attempts
        .slice(0, 30)
        .map((attempt) => {
          const when = at(attempt.startedAt) ?? 'time not recorded';
          const err = attempt.error
            ? ` — <b>${e(attempt.error.name, 200)}</b>: ${e(attempt.error.message, 600)}`
            : ' — ran';
          const next =
            attempt.delayBeforeNextMs === undefined
              ? ''
              : `; next attempt after ${formatDuration(attempt.delayBeforeNextMs)}`;
          return `<li>#${attempt.number} at ${when}${err}${next}</li>`;
        })
        .join('')}</ol>`
    : '';
  const readiness = entry.readiness?.length ? `<h4>Readiness</h4>${readinessList(entry.readiness)}` : '';
  const excerpt = excerptBlock(entry, entry.s3Key ? excerpts.get(entry.s3Key) : undefined, options);
  return `<details class="card s-${entry.status}" id="target-${index}"${open ? ' open' : ''}>
<summary>${badge(entry.status)}<span class="who">task ${e(shortTask(t.taskArn), 100)} / ${e(t.container, 200)}</span><span class="muted">${e(t.script, 60)}</span><span class="sum">${sum.join(' · ')}</span></summary>
<div class="body">${why}${error}${details}${attempts}${readiness}${excerpt}</div>
</details>`;
}

function targetsSection(
  manifest: Manifest,
  excerpts: Excerpts,
  options: ReportHtmlOptions,
  origin: number | undefined,
): string {
  if (manifest.targets.length === 0) {
    return `<h2>Targets</h2><div class="panel"><p>No target ran${manifest.errors.length ? ': see the run errors above' : ''}.</p></div>`;
  }
  const ordered = orderTargets(manifest.targets);
  const openAll = ordered.length <= OPEN_CARDS;
  let opened = 0;
  const groups = new Map<string, string[]>();
  const counts = new Map<string, Record<string, number>>();
  ordered.forEach((entry, index) => {
    const open =
      openAll || ((entry.status === 'failed' || entry.status === 'partial') && opened < OPEN_CARDS);
    if (open) opened += 1;
    const service = serviceOf(entry);
    groups.set(service, [
      ...(groups.get(service) ?? []),
      card(entry, index, open, excerpts, options, origin),
    ]);
    const count = counts.get(service) ?? {};
    count[entry.status] = (count[entry.status] ?? 0) + 1;
    counts.set(service, count);
  });
  const sections = [...groups.entries()].map(([service, cards]) => {
    const count = counts.get(service) ?? {};
    const line = STATUS_ORDER.filter((status) => count[status])
      .map((status) => `${count[status]} ${status.replace('-', ' ')}`)
      .join(', ');
    return `<section class="service" id="service-${[...groups.keys()].indexOf(service)}"><h3>${e(service, 300)} <span class="muted">— ${cards.length} target${cards.length === 1 ? '' : 's'}: ${line}</span></h3>\n${cards.join('\n')}</section>`;
  });
  const hint = openAll
    ? ''
    : ' <span class="muted">(failed and partial targets first; click a card to open it)</span>';
  return `<h2 id="targets">Targets${hint}</h2>${overview(counts)}${sections.join('\n')}`;
}

/** A table of services and their counts by status, for runs that span more than one service. */
function overview(counts: ReadonlyMap<string, Record<string, number>>): string {
  if (counts.size < 2) return '';
  const rows = [...counts.entries()].map(([service, count], index) => {
    const cells = STATUS_ORDER.map((status) => `<td class="num">${count[status] ?? 0}</td>`).join('');
    return `<tr><td><a href="#service-${index}">${e(service, 300)}</a></td>${cells}</tr>`;
  });
  const head = STATUS_ORDER.map((status) => `<th class="num">${status.replace('-', ' ')}</th>`).join('');
  return `<div class="panel scroll"><table><tr><th>service</th>${head}</tr>${rows.join('')}</table></div>`;
}

function listedTasks<T>(items: readonly T[], render: (item: T) => string): string {
  const shown = items.slice(0, MAX_LISTED_TASKS).map(render).join('');
  const more =
    items.length > MAX_LISTED_TASKS
      ? `<p class="muted">… and ${items.length - MAX_LISTED_TASKS} more in manifest.json.</p>`
      : '';
  return `${shown}${more}`;
}

function skippedSection(manifest: Manifest): string {
  if (manifest.skipped.length === 0) return '';
  const rows = listedTasks(
    manifest.skipped,
    (skip) =>
      `<tr><td><code>${e(skip.taskArn ? shortTask(skip.taskArn) : skip.cluster, 200)}</code></td><td>${e(skip.container ?? '—', 200)}</td><td>${e(skip.reason, 1000)}${readinessList(skip.readiness)}</td></tr>`,
  );
  const table = `<div class="scroll"><table><tr><th>task</th><th>container</th><th>reason</th></tr>${rows}</table></div>`;
  const body =
    manifest.skipped.length > 20
      ? `<details class="more"><summary>show all ${manifest.skipped.length}</summary>${table}</details>`
      : table;
  return `<h2 id="skipped">Skipped by preflight (${manifest.skipped.length})</h2><div class="panel">${body}</div>`;
}

function leftOutSection(manifest: Manifest): string {
  if (manifest.leftOut.length === 0) return '';
  const rows = listedTasks(
    manifest.leftOut,
    (task) =>
      `<tr><td><code>${e(shortTask(task.taskArn), 200)}</code></td><td>${e(task.service ?? '—', 200)}</td><td>${e(task.reason, 600)}</td></tr>`,
  );
  const table = `<div class="scroll"><table><tr><th>task</th><th>service</th><th>reason</th></tr>${rows}</table></div>`;
  const body =
    manifest.leftOut.length > 20
      ? `<details class="more"><summary>show all ${manifest.leftOut.length}</summary>${table}</details>`
      : table;
  return `<h2 id="left-out">Left out by sampling (${manifest.leftOut.length})</h2><div class="panel"><p class="muted">Sampling kept the run to the configured number of tasks; these were not diagnosed.</p>${body}</div>`;
}

/** Renders the run's report page from its manifest and the first part of each output. */
export function renderReportHtml(
  manifest: Manifest,
  excerpts: Excerpts = new Map(),
  options: ReportHtmlOptions = {},
): string {
  const origin = timelineOrigin(manifest);
  const title = `${manifest.outcome.toUpperCase()} · ${manifest.alarm?.name ?? manifest.executionName} · ECS diagnostics`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeAttribute(clip(title, 200))}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${header(manifest)}
${alarmSection(manifest)}
${problems(manifest)}
${timelineSection(manifest)}
${targetsSection(manifest, excerpts, options, origin)}
${skippedSection(manifest)}
${leftOutSection(manifest)}
<footer>Execution <code>${e(manifest.executionName, 200)}</code> · manifest ${where(manifest.files.manifest, options)} (schema version ${manifest.schemaVersion}) · summary ${where(manifest.files.summary, options)} · written ${ft(manifest.writtenAt)}</footer>
</main>
</body>
</html>
`;
}
