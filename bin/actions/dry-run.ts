/**
 * `ecs-diag dry-run --event FILE [--resolve]` (its flags: bin/commands/dry-run.ts): what start-run would do
 * with an event, without starting anything. Prints JSON: per notification the request and execution name, or
 * the reason it is ignored (exit code 3 when nothing would run, 1 when the event is rejected), and which script
 * the run gets and why. With --resolve, also the targets resolve-targets would choose, asking ECS and
 * CloudWatch at the configured endpoints (AWS_ENDPOINT_URL_ECS / AWS_ENDPOINT_URL_CLOUDWATCH, or AWS itself).
 */
import { readFileSync } from 'node:fs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { catalogScriptNames, isCatalogScript } from '#lib/catalog.ts';
import { integerEnv, listEnv, optionalEnv } from '#lib/config.ts';
import { describeError } from '#lib/errors.ts';
import { MAX_TASKS_LIMIT } from '#lib/request.ts';
import { routeRequest } from '#lib/targets/alarm-route.ts';
import { resolveTargets } from '#lib/targets/resolve.ts';
import { matchMetricRoute, matchRoute, parseRoutingTable, type RoutingTable } from '#lib/targets/routing.ts';
import { routingTable } from '#lib/targets/routing-table.ts';
import { chooseScript, metricLabels } from '#lib/targets/script-choice.ts';
import { decide, homeOf, type TriggerConfig, type TriggerDecision } from '#lib/triggers/normalise.ts';
import type { ClientConfig } from '../cli/aws.ts';
import { EXIT } from '../cli/exit-codes.ts';
import type { DryRunOptions } from '../commands/dry-run.ts';

/** Output of one notification. */
type DryRunEntry = Record<string, unknown>;

function readJson(file: string): unknown {
  const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  return JSON.parse(text);
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function fail(error: unknown): number {
  const { name, message } = describeError(error);
  const field = error instanceof Error && 'field' in error ? (error as { field: unknown }).field : undefined;
  print({ error: { name, message, ...(typeof field === 'string' ? { field } : {}) } });
  return EXIT.notOk;
}

/** What start-run (and with `resolve`, resolve-targets) would do with the event; returns the exit code. */
export async function dryRun(values: DryRunOptions, aws: ClientConfig = {}): Promise<number> {
  let event: unknown;
  let config: TriggerConfig;
  let maxTasks: number;
  try {
    event = readJson(values.event);
    const routing: RoutingTable =
      values.routing === undefined
        ? routingTable
        : parseRoutingTable(readJson(values.routing), values.routing);
    const defaultScript = values.defaultScript ?? optionalEnv('DEFAULT_SCRIPT', 'basic');
    if (!isCatalogScript(defaultScript)) {
      throw new Error(
        `default script ${JSON.stringify(defaultScript)} is not in the catalog (${catalogScriptNames().join(', ')})`,
      );
    }
    const allowed = values.allowedClusters;
    config = {
      alarmNamePrefix: values.alarmNamePrefix ?? process.env.ALARM_NAME_PREFIX?.trim() ?? '',
      allowedClusters:
        allowed === undefined ? listEnv('ALLOWED_CLUSTERS') : listEnv('LIST', { LIST: allowed }),
      defaultScript,
      routing,
      now: () => new Date(),
    };
    const home = homeOf(process.env.STATE_MACHINE_ARN);
    if (home !== undefined) config.home = home;
    maxTasks =
      values.maxTasks === undefined
        ? integerEnv('DEFAULT_MAX_TASKS', 3, { min: 1, max: MAX_TASKS_LIMIT })
        : integerEnv('MAX_TASKS', 3, { min: 1, max: MAX_TASKS_LIMIT }, { MAX_TASKS: values.maxTasks });
  } catch (error) {
    return fail(error);
  }

  let decisions: TriggerDecision[];
  try {
    decisions = decide(event, config);
  } catch (error) {
    return fail(error);
  }

  const clients = values.resolve
    ? { ecs: new ECSClient(aws), cloudwatch: new CloudWatchClient(aws) }
    : undefined;
  const runs: DryRunEntry[] = [];
  let failed = false;
  for (const decision of decisions) {
    if (decision.action === 'ignore') {
      runs.push({ action: 'ignore', reason: decision.reason, alarmName: decision.alarmName });
      continue;
    }
    const entry: DryRunEntry = {
      action: 'start',
      executionName: decision.executionName,
      request: decision.request,
      cooldown: decision.cooldown ?? null,
      routedBy: decision.routedBy,
    };
    const request = decision.request;
    const alarmName = request.alarm?.name ?? request.source.alarmName;
    const metrics = request.alarm?.metrics ?? [];
    const choice = chooseScript({
      request: request.script,
      route: alarmName === undefined ? undefined : matchRoute(config.routing, alarmName),
      metric: matchMetricRoute(config.routing, metrics),
      defaultScript: config.defaultScript,
      metrics: metricLabels(metrics),
    });
    entry.script = {
      name: choice.script,
      reason: clients === undefined ? `${choice.reason} (tags not read: add --resolve)` : choice.reason,
    };
    if (clients !== undefined) {
      try {
        const routed = await routeRequest(request, {
          cloudwatch: clients.cloudwatch,
          routing: config.routing,
        });
        entry.script = { name: routed.script ?? config.defaultScript, reason: routed.scriptReason };
        entry.resolved = await resolveTargets(
          decision.request,
          { executionName: decision.executionName, startTime: new Date() },
          clients,
          {
            allowedClusters: config.allowedClusters,
            defaultMaxTasks: maxTasks,
            defaultScript: config.defaultScript,
            routing: config.routing,
          },
        );
      } catch (error) {
        entry.resolveError = describeError(error);
        failed = true;
      }
    }
    runs.push(entry);
  }
  print({ runs });
  if (failed) return EXIT.notOk;
  return runs.some((entry) => entry.action === 'start') ? EXIT.ok : EXIT.ignored;
}
