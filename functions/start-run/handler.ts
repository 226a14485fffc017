import { SFNClient } from '@aws-sdk/client-sfn';
import { defaultScriptFromEnv } from '#lib/catalog.ts';
import { integerEnv, listEnv, requiredEnv } from '#lib/config.ts';
import { createHandler } from '#lib/handler.ts';
import { logger } from '#lib/logger.ts';
import { routingTable } from '#lib/targets/routing-table.ts';
import { homeOf } from '#lib/triggers/normalise.ts';
import { type RunOutcome, type StartConfig, startRuns } from '#lib/triggers/start.ts';

/** Reads start-run's environment; a bad variable fails the cold start. */
export function loadStartConfig(env: NodeJS.ProcessEnv = process.env): StartConfig {
  const defaultScript = defaultScriptFromEnv(env);
  const stateMachineArn = requiredEnv('STATE_MACHINE_ARN', env);
  const home = homeOf(stateMachineArn);
  return {
    ...(home === undefined ? {} : { home }),
    stateMachineArn,
    alarmNamePrefix: env.ALARM_NAME_PREFIX?.trim() ?? '',
    allowedClusters: listEnv('ALLOWED_CLUSTERS', env),
    topicAccounts: listEnv('ALARM_TOPIC_ACCOUNT_IDS', env),
    cooldownSeconds: integerEnv('COOLDOWN_SECONDS', 600, { min: 0, max: 86_400 }, env),
    defaultScript,
    routing: routingTable,
    now: () => new Date(),
  };
}

const config = loadStartConfig();
const sfn = new SFNClient({});

/** Normalises an alarm or schedule event into a DiagnosticsRequest and starts the state machine. */
export const handler = createHandler(async (event: unknown): Promise<{ runs: RunOutcome[] }> => {
  const runs = await startRuns(event, sfn, config);
  for (const run of runs) {
    logger.info(`run ${run.outcome}`, { ...run });
  }
  return { runs };
});
