import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { defaultScriptFromEnv } from '#lib/catalog.ts';
import { integerEnv, listEnv, requiredEnv } from '#lib/config.ts';
import type { ResolvedState } from '#lib/contracts.ts';
import { createHandler } from '#lib/handler.ts';
import { logger } from '#lib/logger.ts';
import { MAX_TASKS_LIMIT } from '#lib/request.ts';
import { type ResolveConfig, resolveTargets } from '#lib/targets/resolve.ts';
import { parseResolveInput } from '#lib/targets/resolve-input.ts';
import { routingTable } from '#lib/targets/routing-table.ts';
import { INLINE_MAX_TARGETS, INLINE_MAX_TARGETS_LIMIT, storeResolution } from './resolution.ts';

/** Reads resolve-targets' environment; a bad variable fails the cold start. */
export function loadResolveConfig(env: NodeJS.ProcessEnv = process.env): ResolveConfig {
  const defaultScript = defaultScriptFromEnv(env);
  return {
    allowedClusters: listEnv('ALLOWED_CLUSTERS', env),
    defaultMaxTasks: integerEnv('DEFAULT_MAX_TASKS', 3, { min: 1, max: MAX_TASKS_LIMIT }, env),
    defaultScript,
    routing: routingTable,
  };
}

const config = loadResolveConfig();
const bucket = requiredEnv('OUTPUT_BUCKET');
/** The map-mode switch: runs of up to this many targets use the inline Map (0: always distributed). */
const inlineMax = integerEnv('INLINE_MAX_TARGETS', INLINE_MAX_TARGETS, {
  min: 0,
  max: INLINE_MAX_TARGETS_LIMIT,
});
/**
 * A sweep makes a few dozen ECS reads in a burst: the SDK's standard retry strategy retries
 * ThrottlingException with exponential backoff and full jitter; 6 attempts ride out a drained bucket.
 */
const clients = { ecs: new ECSClient({ maxAttempts: 6 }), cloudwatch: new CloudWatchClient({}) };
const s3 = new S3Client({ forcePathStyle: process.env.AWS_S3_FORCE_PATH_STYLE === 'true' });

/**
 * Validates the request, resolves it to the tasks and containers to diagnose, stores the lists in S3 and
 * returns their keys and counts (the targets themselves only for an inline run).
 */
export const handler = createHandler(
  async (event: unknown): Promise<ResolvedState> => {
    const { request, executionName, startTime } = parseResolveInput(event);
    const resolved = await resolveTargets(request, { executionName, startTime }, clients, config);
    const state = await storeResolution(s3, bucket, resolved, inlineMax);
    logger.info('targets resolved', {
      targets: state.targetCount,
      skipped: state.skippedCount,
      mode: state.mode,
      notes: resolved.notes,
    });
    return state;
  },
  (event) => {
    const name = (event as { execution?: { name?: unknown } } | null)?.execution?.name;
    return typeof name === 'string' ? { executionName: name } : {};
  },
);
