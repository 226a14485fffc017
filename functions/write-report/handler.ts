import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { readRunRecords, targetId } from '#lib/attempts.ts';
import { optionalEnv, requiredEnv } from '#lib/config.ts';
import type { Target } from '#lib/contracts.ts';
import { describeError, InvalidRequestError } from '#lib/errors.ts';
import { createHandler } from '#lib/handler.ts';
import { logger } from '#lib/logger.ts';
import type { Manifest } from '#lib/manifest.ts';
import { writeRunReport } from '#lib/report/write.ts';
import { completionDetail } from './completion.ts';
import { normaliseCaughtError } from './errors.ts';
import { emitRunMetrics } from './metrics.ts';
import { publishCompletion } from './publish.ts';
import { buildManifest, prefixOf, type ReportSummary, summarise, type WriteReportInput } from './report.ts';
import { inlineResults } from './results.ts';
import { loadResolvedTargets, loadRunState, type RunState } from './run-state.ts';
import { storeManifest } from './store.ts';

const bucket = requiredEnv('OUTPUT_BUCKET');
const eventBusName = optionalEnv('EVENT_BUS_NAME', 'default');
const topicArn = optionalEnv('NOTIFICATION_TOPIC_ARN', '');
const region = process.env.AWS_REGION ?? 'us-east-1';
const s3 = new S3Client({ forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });
const publishTargets = {
  events: new EventBridgeClient({}),
  eventBusName,
  sns: new SNSClient({}),
  ...(topicArn === '' ? {} : { topicArn }),
};
const metrics = new Metrics({ serviceName: 'write-report' });

function parseInput(event: unknown): WriteReportInput {
  const input = event as Partial<WriteReportInput> | null;
  if (typeof input !== 'object' || input === null) {
    throw new InvalidRequestError('event', 'must be the WriteReport state input {state, execution}');
  }
  if (typeof input.state !== 'object' || input.state === null) {
    throw new InvalidRequestError('state', 'is missing: pass the execution state as "state.$": "$"');
  }
  const execution = input.execution;
  if (typeof execution?.name !== 'string' || execution.name === '') {
    throw new InvalidRequestError('execution.name', 'is missing: pass "name.$": "$$.Execution.Name"');
  }
  if (typeof execution.startTime !== 'string' || Number.isNaN(Date.parse(execution.startTime))) {
    throw new InvalidRequestError(
      'execution.startTime',
      'must be a timestamp: pass "$$.Execution.StartTime"',
    );
  }
  if (execution.id !== undefined && (typeof execution.id !== 'string' || !execution.id.startsWith('arn:'))) {
    throw new InvalidRequestError(
      'execution.id',
      'must be the execution ARN: pass "id.$": "$$.Execution.Id"',
    );
  }
  return input as WriteReportInput;
}

/** The run's targets.jsonl (the targets' task facts); unreadable, the manifest leaves the facts out. */
async function storedTargets(state: RunState): Promise<Target[] | undefined> {
  return loadResolvedTargets(s3, bucket, state).catch((error: unknown) => {
    logger.warn('targets.jsonl unreadable: the manifest leaves the task facts out', {
      error: describeError(error),
    });
    return undefined;
  });
}

/** Builds the manifest of the execution from its state, its results, its targets and its attempt records. */
async function assemble(input: WriteReportInput, stored: readonly Target[] | undefined) {
  const mapError = input.state.runError ? normaliseCaughtError(input.state.runError) : undefined;
  const results = inlineResults(input.state, mapError);
  const records = await readRunRecords(s3, bucket, prefixOf(input)).catch((error: unknown) => {
    logger.warn('attempt records unreadable: the manifest lists final attempts only, without capture facts', {
      error: describeError(error),
    });
    return { attempts: new Map(), facts: new Map() };
  });
  const targets = new Map((stored ?? []).map((target) => [targetId(target), target]));
  return buildManifest(input, new Date(), { results, ...records, targets });
}

/**
 * Writes summary.md and report.html next to the manifest. A failure is logged, never thrown: the manifest is
 * already stored, and the Catch path would record the run as having none.
 */
async function storeRunReport(manifest: Manifest): Promise<void> {
  try {
    const written = await writeRunReport(s3, bucket, manifest, { region });
    logger.info('run report written', { ...written });
  } catch (error) {
    logger.error('run report NOT written: the manifest is complete without it', {
      error: describeError(error),
      report: manifest.files.report,
    });
  }
}

/**
 * Writes the run manifest (every target's outcome and attempts, skipped and left-out tasks, the alarm) and
 * the run report (summary.md, report.html),
 * publishes the completion event and notification, emits the run's metrics and returns its summary. With
 * `reportError` in the state (the Catch path) nothing is written and the event says so.
 */
export const handler = createHandler(
  async (event: unknown): Promise<ReportSummary> => {
    const input = parseInput(event);
    const stored = await storedTargets(input.state as RunState);
    const state = (await loadRunState(
      s3,
      bucket,
      input.state as RunState,
      stored,
    )) as WriteReportInput['state'];
    const { manifest } = await assemble({ ...input, state }, stored);
    const writing = input.state.reportError === undefined;
    if (writing) await storeManifest(s3, bucket, manifest);
    const summary = summarise(manifest, writing);
    if (writing) logger.info('run manifest written', { ...summary });
    else logger.error('run manifest NOT written', { ...summary, error: manifest.errors.at(-1) });
    if (writing) await storeRunReport(manifest);
    const detail = completionDetail(manifest, {
      bucket,
      region,
      endedAt: new Date(),
      manifestWritten: writing,
      ...(input.execution.id === undefined ? {} : { executionArn: input.execution.id }),
    });
    const published = await publishCompletion(publishTargets, detail);
    emitRunMetrics(metrics, manifest, published.failures);
    return summary;
  },
  (event) => {
    const name = (event as { execution?: { name?: unknown } } | null)?.execution?.name;
    return { executionName: typeof name === 'string' ? name : undefined };
  },
);
