import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { putAttemptRecord, putFactsRecord } from '#lib/attempts.ts';
import { integerEnv, optionalEnv, requiredEnv } from '#lib/config.ts';
import type { TargetResult } from '#lib/contracts.ts';
import { describeError } from '#lib/errors.ts';
import { createHandler } from '#lib/handler.ts';
import { logger } from '#lib/logger.ts';
import { parseMapItem } from '#lib/map-item.ts';
import { onFirstUse } from '#lib/on-first-use.ts';
import { runDiagnostic } from './run.ts';

const bucket = requiredEnv('OUTPUT_BUCKET');
const deadlineMarginMs = integerEnv('DEADLINE_MARGIN_MS', 20_000, { min: 1000, max: 600_000 });
const execKmsKeyArn = optionalEnv('EXEC_KMS_KEY_ARN', '');

const RECORD_TIMEOUT_MS = 3000;

const ecs = new ECSClient({});
const s3 = new S3Client({ forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });
// KMS only for a cluster that encrypts ECS Exec, SSM only to end a session early: loaded and made when needed.
const ssm = onFirstUse(async () => new (await import('@aws-sdk/client-ssm')).SSMClient({}));
const kms = onFirstUse(async () => new (await import('@aws-sdk/client-kms')).KMSClient({}));

function logKeys(event: unknown) {
  const e = (typeof event === 'object' && event !== null ? event : {}) as {
    run?: { executionName?: unknown };
    target?: { taskArn?: unknown; container?: unknown };
  };
  const executionName = typeof e.run?.executionName === 'string' ? e.run.executionName : undefined;
  const task = typeof e.target?.taskArn === 'string' ? e.target.taskArn : undefined;
  const container = typeof e.target?.container === 'string' ? e.target.container : undefined;
  return { executionName, target: task === undefined ? undefined : `${task}/${container ?? '?'}` };
}

/** Runs one catalog script in one container and streams its output to S3 (RunDiagnosticInput → TargetResult). */
export const handler = createHandler(async (event: unknown, context: Context): Promise<TargetResult> => {
  const input = parseMapItem(event);
  const startedAt = new Date();
  const deadline = startedAt.getTime() + context.getRemainingTimeInMillis() - deadlineMarginMs;
  let result: TargetResult;
  try {
    result = await runDiagnostic(input, {
      ecs,
      s3,
      ssm,
      kms,
      bucket,
      deadline,
      ...(execKmsKeyArn === '' ? {} : { execKmsKeyArn }),
    });
  } catch (error) {
    // The attempt's own record, for the manifest: best effort, bounded, and never in place of the error.
    await putAttemptRecord(
      s3,
      bucket,
      input.run.prefix,
      {
        target: input.target,
        number: (input.retryCount ?? 0) + 1,
        startedAt: startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        error: describeError(error),
      },
      AbortSignal.timeout(RECORD_TIMEOUT_MS),
    ).catch((recordError: unknown) => {
      logger.warn('the attempt record was not written', { error: describeError(recordError) });
    });
    throw error;
  }
  // The capture facts go to S3, not into the state: every result in the state stays small. (The task facts
  // are in the run's targets.jsonl, from resolve-targets.)
  const { capture, ...compact } = result;
  await putFactsRecord(
    s3,
    bucket,
    input.run.prefix,
    { target: input.target, ...(capture === undefined ? {} : { capture }) },
    AbortSignal.timeout(RECORD_TIMEOUT_MS),
  ).catch((recordError: unknown) => {
    logger.warn('the facts record was not written; the manifest leaves them out', {
      error: describeError(recordError),
    });
  });
  return compact;
}, logKeys);
