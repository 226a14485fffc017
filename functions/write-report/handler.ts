import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { requiredEnv } from '#lib/config.ts';
import { InvalidRequestError } from '#lib/errors.ts';
import { createHandler } from '#lib/handler.ts';
import { logger } from '#lib/logger.ts';
import { safeJson } from '#lib/untrusted-text.ts';
import { buildManifest, type ReportSummary, summarise, type WriteReportInput } from './report.ts';

const bucket = requiredEnv('OUTPUT_BUCKET');
const s3 = new S3Client({ forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });

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
  return input as WriteReportInput;
}

/** Writes the run manifest (every target's outcome, every skipped task's reason) and returns its summary. */
export const handler = createHandler(
  async (event: unknown): Promise<ReportSummary> => {
    const input = parseInput(event);
    const { key, manifest } = buildManifest(input, new Date());
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: `${safeJson(manifest, 2)}\n`,
        ContentType: 'application/json',
      }),
    );
    const summary = summarise(key, manifest);
    logger.info('run manifest written', { ...summary });
    return summary;
  },
  (event) => {
    const name = (event as { execution?: { name?: unknown } } | null)?.execution?.name;
    return { executionName: typeof name === 'string' ? name : undefined };
  },
);
