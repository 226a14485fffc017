/**
 * The completion event (EventBridge) and the chat notification (SNS, AWS Chatbot custom notification format)
 * of one run: pure builders, bounded in size whatever the number of targets.
 */
import { executionLink, s3FolderLink, s3ObjectLink, s3Uri } from '#lib/console-links.ts';
import type { Manifest } from '#lib/manifest.ts';
import { type RunCounts, runCounts } from '#lib/outcome.ts';

/** The `source` of the completion event (custom: never `aws.*`). */
export const EVENT_SOURCE = 'ecs-alarm-diagnostics';
export const EVENT_DETAIL_TYPE = 'ECS Diagnostics Run Completed';

/** Where the run's objects are and how a person opens them. */
export interface RunLocation {
  bucket: string;
  region: string;
  executionArn?: string;
  endedAt: Date;
  manifestWritten: boolean;
}

/** The `detail` of the completion event. */
export interface CompletionDetail {
  executionName: string;
  executionArn?: string;
  outcome: Manifest['outcome'];
  manifestWritten: boolean;
  counts: RunCounts;

  cluster?: string;
  service?: string;
  alarm?: { name: string; arn?: string; stateChangeTime?: string };
  manifest: string;
  report: string;
  summary: string;
  links: { report: string; runFolder: string; execution?: string };
  startedAt: string;
  endedAt: string;
  error?: { stage: string; name: string; message: string };
}

const MAX_TEXT = 256;
const MAX_ERROR_MESSAGE = 1000;

/** Bounded text with control characters (and bidi controls) escaped: it reaches logs, chat and consoles. */
export function safeText(value: string, max = MAX_TEXT): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    const control =
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069) ||
      code === 0x200e ||
      code === 0x200f;
    out += control ? `\\u${code.toString(16).padStart(4, '0')}` : char;
    if (out.length >= max) return `${out.slice(0, max)}…`;
  }
  return out;
}

function requestField(manifest: Manifest, field: 'cluster' | 'service'): string | undefined {
  const request = manifest.request as Record<string, unknown> | null;
  const value = request !== null && typeof request === 'object' ? request[field] : undefined;
  if (typeof value === 'string' && value !== '') return value.split('/').pop();
  if (field === 'cluster') return manifest.targets[0]?.target.cluster ?? manifest.skipped[0]?.cluster;
  return manifest.targets.find((target) => target.task?.service !== undefined)?.task?.service;
}

/** The completion event's detail: counts, where things are, and links; no per-target list. */
export function completionDetail(manifest: Manifest, where: RunLocation): CompletionDetail {
  const folder = manifest.files.manifest.replace(/manifest\.json$/, '');
  const detail: CompletionDetail = {
    executionName: manifest.executionName,
    outcome: manifest.outcome,
    manifestWritten: where.manifestWritten,
    counts: runCounts(manifest.summary),
    manifest: s3Uri(where.bucket, manifest.files.manifest),
    report: s3Uri(where.bucket, manifest.files.report),
    summary: s3Uri(where.bucket, manifest.files.summary),
    links: {
      report: s3ObjectLink(where.bucket, manifest.files.report, where.region),
      runFolder: s3FolderLink(where.bucket, folder, where.region),
    },
    startedAt: manifest.startedAt,
    endedAt: where.endedAt.toISOString(),
  };
  if (where.executionArn !== undefined) {
    detail.executionArn = where.executionArn;
    detail.links.execution = executionLink(where.executionArn, where.region);
  }
  const cluster = requestField(manifest, 'cluster');
  if (cluster !== undefined) detail.cluster = safeText(cluster);
  const service = requestField(manifest, 'service');
  if (service !== undefined) detail.service = safeText(service);
  if (manifest.alarm !== undefined) {
    detail.alarm = { name: safeText(manifest.alarm.name) };
    if (manifest.alarm.arn !== undefined) detail.alarm.arn = safeText(manifest.alarm.arn, 2048);
    if (manifest.alarm.state.timestamp !== undefined) {
      detail.alarm.stateChangeTime = safeText(manifest.alarm.state.timestamp, 64);
    }
  }
  const error = manifest.errors.at(-1);
  if (error !== undefined) {
    detail.error = {
      stage: error.stage,
      name: safeText(error.name),
      message: safeText(error.message, MAX_ERROR_MESSAGE),
    };
  }
  return detail;
}

const ICONS: Record<Manifest['outcome'], string> = {
  succeeded: ':white_check_mark:',
  partial: ':warning:',
  failed: ':x:',
};

/** Escapes chat markdown so untrusted text shows as text. */
function markdown(value: string): string {
  return safeText(value.replace(/[\\`*_~<>&|[\]()#]/g, (char) => `\\${char}`));
}

/** The AWS Chatbot (Amazon Q Developer in chat applications) custom notification of one run. */
export function chatNotification(detail: CompletionDetail): Record<string, unknown> {
  const subject = detail.alarm?.name ?? [detail.cluster, detail.service].filter(Boolean).join('/');
  const what = subject === '' ? detail.executionName : subject;
  const c = detail.counts;
  const counts = `${c.succeeded} succeeded, ${c.partial} partial, ${c.notApplicable} not applicable, ${c.failed} failed; ${c.skipped} skipped, ${c.leftOut} left out`;
  const lines = [
    `*Outcome:* ${detail.outcome} (${counts})`,
    ...(detail.alarm !== undefined ? [`*Alarm:* ${markdown(detail.alarm.name)}`] : []),
    ...(detail.cluster !== undefined
      ? [`*Service:* ${markdown(detail.cluster)}${detail.service ? `/${markdown(detail.service)}` : ''}`]
      : []),
    detail.manifestWritten
      ? `*Report:* ${detail.links.report}`
      : `*The run manifest could not be written* (${markdown(detail.error?.name ?? 'unknown error')}); the outputs are in ${detail.links.runFolder}`,
  ];
  const nextSteps = [
    ...(detail.manifestWritten ? [`Open the report: ${detail.links.report}`] : []),
    `Browse the run's outputs: ${detail.links.runFolder}`,
    ...(detail.links.execution !== undefined ? [`Step Functions execution: ${detail.links.execution}`] : []),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: detail.executionName,
    content: {
      textType: 'client-markdown',
      title: `${ICONS[detail.outcome]} ECS diagnostics ${detail.outcome}: ${markdown(what)}`,
      description: lines.join('\n'),
      nextSteps,
      keywords: [detail.outcome, ...(detail.cluster ? [detail.cluster] : [])].map((k) => safeText(k, 64)),
    },
    metadata: {
      ...(detail.alarm !== undefined ? { threadId: safeText(detail.alarm.name, 128) } : {}),
      summary: `ECS diagnostics ${detail.outcome}: ${safeText(what, 128)}`,
      eventType: EVENT_DETAIL_TYPE,
      relatedResources: [detail.executionArn, detail.alarm?.arn].filter((v) => v !== undefined),
      additionalContext: { manifest: detail.manifest, report: detail.report },
    },
  };
}
