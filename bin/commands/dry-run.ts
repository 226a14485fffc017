/**
 * `ecs-diag dry-run --event FILE [--resolve]`: what start-run would do with an event, without starting
 * anything. Prints JSON: per notification the request and execution name, or the reason it is ignored
 * (exit code 2 when nothing would run, 1 when the event is rejected), and which script the run gets and why.
 * With --resolve, also the targets
 * resolve-targets would choose, asking ECS and CloudWatch at the configured endpoints
 * (AWS_ENDPOINT_URL_ECS / AWS_ENDPOINT_URL_CLOUDWATCH, or AWS itself).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
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

export const description = 'show the request (and with --resolve the targets) an event would lead to';

const USAGE = `usage: ecs-diag dry-run --event FILE [--resolve] [--routing FILE]
                       [--alarm-name-prefix P] [--allowed-clusters a,b] [--default-script NAME] [--max-tasks N]

Prints what start-run would build from the event in FILE ('-' reads stdin), as JSON, with the script the
run gets and why (request script > ecs-diagnostics:script tag > alarm-name route > metric route > default).
Exit codes: 0 a run would start, 2 the event would be ignored (reason printed), 1 the event is rejected.
Defaults come from ALARM_NAME_PREFIX, ALLOWED_CLUSTERS, DEFAULT_SCRIPT, DEFAULT_MAX_TASKS; with
STATE_MACHINE_ARN set, alarms of other accounts or regions are ignored, as start-run does.
--resolve also resolves the targets against ECS/CloudWatch (AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_CLOUDWATCH).
Without --resolve the alarm's tags and a composite's children are not read (they can change the script).
The cooldown is not evaluated (it needs the state machine's execution history).`;

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
  return 1;
}

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  function parse(args: string[]) {
    return parseArgs({
      args,
      options: {
        event: { type: 'string' },
        resolve: { type: 'boolean', default: false },
        routing: { type: 'string' },
        'alarm-name-prefix': { type: 'string' },
        'allowed-clusters': { type: 'string' },
        'default-script': { type: 'string' },
        'max-tasks': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  }
  try {
    values = parse(argv).values;
  } catch (error) {
    process.stderr.write(`ecs-diag dry-run: ${describeError(error).message}\n${USAGE}\n`);
    return 1;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.event === undefined) {
    process.stderr.write(`ecs-diag dry-run: --event FILE is required\n${USAGE}\n`);
    return 1;
  }

  let event: unknown;
  let config: TriggerConfig;
  let maxTasks: number;
  try {
    event = readJson(values.event);
    const routing: RoutingTable =
      values.routing === undefined
        ? routingTable
        : parseRoutingTable(readJson(values.routing), values.routing);
    const defaultScript = values['default-script'] ?? optionalEnv('DEFAULT_SCRIPT', 'basic');
    if (!isCatalogScript(defaultScript)) {
      throw new Error(
        `default script ${JSON.stringify(defaultScript)} is not in the catalog (${catalogScriptNames().join(', ')})`,
      );
    }
    const allowed = values['allowed-clusters'];
    config = {
      alarmNamePrefix: values['alarm-name-prefix'] ?? process.env.ALARM_NAME_PREFIX?.trim() ?? '',
      allowedClusters:
        allowed === undefined ? listEnv('ALLOWED_CLUSTERS') : listEnv('LIST', { LIST: allowed }),
      defaultScript,
      routing,
      now: () => new Date(),
    };
    const home = homeOf(process.env.STATE_MACHINE_ARN);
    if (home !== undefined) config.home = home;
    maxTasks =
      values['max-tasks'] === undefined
        ? integerEnv('DEFAULT_MAX_TASKS', 3, { min: 1, max: MAX_TASKS_LIMIT })
        : integerEnv('MAX_TASKS', 3, { min: 1, max: MAX_TASKS_LIMIT }, { MAX_TASKS: values['max-tasks'] });
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
    ? { ecs: new ECSClient({}), cloudwatch: new CloudWatchClient({}) }
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
  if (failed) return 1;
  return runs.some((entry) => entry.action === 'start') ? 0 : 2;
}
