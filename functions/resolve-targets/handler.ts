import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { defaultScriptFromEnv } from '#lib/catalog.ts';
import { integerEnv, listEnv } from '#lib/config.ts';
import type { ResolvedTargets } from '#lib/contracts.ts';
import { createHandler } from '#lib/handler.ts';
import { logger } from '#lib/logger.ts';
import { MAX_TASKS_LIMIT } from '#lib/request.ts';
import { parseResolveInput, type ResolveConfig, resolveTargets } from '#lib/targets/resolve.ts';
import { routingTable } from '#lib/targets/routing-table.ts';

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
const clients = { ecs: new ECSClient({}), cloudwatch: new CloudWatchClient({}) };

/** Validates the request and resolves it to the tasks and containers to diagnose. */
export const handler = createHandler(
  async (event: unknown): Promise<ResolvedTargets> => {
    const { request, executionName, startTime } = parseResolveInput(event);
    const resolved = await resolveTargets(request, { executionName, startTime }, clients, config);
    logger.info('targets resolved', {
      targets: resolved.targets.length,
      skipped: resolved.skipped.length,
      notes: resolved.notes,
    });
    return resolved;
  },
  (event) => {
    const name = (event as { execution?: { name?: unknown } } | null)?.execution?.name;
    return typeof name === 'string' ? { executionName: name } : {};
  },
);
