import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { optionalEnv, requiredEnv } from '#lib/config.ts';
import { createHandler } from '#lib/handler.ts';
import { logger } from '#lib/logger.ts';
import { boundChecks, type ReadinessCheck, runReadinessChecks } from '#lib/readiness/index.ts';
import { parseCheckReadinessInput } from './input.ts';
import { readinessKey, readStoredFindings, storeFindings } from './store.ts';

const bucket = requiredEnv('OUTPUT_BUCKET');
const principalArn = optionalEnv('EXEC_ROLE_ARN', '');
const clients = { ecs: new ECSClient({}), iam: new IAMClient({}), ec2: new EC2Client({}) };
const s3 = new S3Client({ forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });

/** What CheckReadiness puts into the Map item's state: bounded findings and where the full ones are. */
export interface CheckReadinessOutput {
  checks: ReadinessCheck[];
  key: string;
  reused: boolean;
}

/** Most bytes of findings carried in state per target (the full set is in S3 at `key`). */
const STATE_BYTES = 4096;

/**
 * Runs the full readiness checks for a target whose ExecuteCommand was refused or never connected, once
 * per task: the findings are stored next to the task's outputs, and a second target of the same task reuses them.
 */
export const handler = createHandler(
  async (event: unknown): Promise<CheckReadinessOutput> => {
    const input = parseCheckReadinessInput(event);
    const key = readinessKey(input.run.prefix, input.target);
    const stored = await readStoredFindings(s3, bucket, key);
    if (stored !== undefined) return { checks: boundChecks(stored, STATE_BYTES), key, reused: true };
    const checks = await runReadinessChecks(clients, {
      cluster: input.target.cluster,
      task: input.target.taskArn,
      ...(principalArn !== '' ? { principalArn } : {}),
    });
    await storeFindings(s3, bucket, key, { target: input.target, trigger: input.error, checks });
    logger.info('readiness checked', {
      key,
      failed: checks.filter((check) => check.status === 'fail').map((check) => check.id),
    });
    return { checks: boundChecks(checks, STATE_BYTES), key, reused: false };
  },
  (event) => {
    const run = (event as { run?: { executionName?: unknown } } | null)?.run;
    return { executionName: typeof run?.executionName === 'string' ? run.executionName : undefined };
  },
);
