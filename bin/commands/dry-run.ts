/**
 * `ecs-diag dry-run --event FILE [--resolve]`: the command's flags and help; the action
 * (bin/actions/dry-run.ts) loads when it runs.
 */
import type { Command } from 'commander';
import { clientConfig } from '../cli/aws.ts';
import type { CommandContext } from '../program.ts';

/** The options of `dry-run`, as commander parses them. */
export interface DryRunOptions {
  event: string;
  resolve?: boolean;
  routing?: string;
  alarmNamePrefix?: string;
  allowedClusters?: string;
  defaultScript?: string;
  maxTasks?: string;
}

/** Adds `dry-run` to the program. */
export function registerDryRun(program: Command, context: CommandContext): void {
  program
    .command('dry-run')
    .description('show the request (and with --resolve the targets) an event would lead to; nothing starts')
    .requiredOption(
      '--event <file>',
      "the event (EventBridge, SNS, Lambda alarm action or a request); '-' reads stdin",
    )
    .option('--resolve', 'also resolve the targets against ECS and CloudWatch')
    .option('--routing <file>', 'a routing table instead of routing/routing.json')
    .option('--alarm-name-prefix <prefix>', 'default: ALARM_NAME_PREFIX')
    .option('--allowed-clusters <a,b>', 'the TargetClusterNames to assume (default: ALLOWED_CLUSTERS)')
    .option('--default-script <name>', 'default: DEFAULT_SCRIPT or basic')
    .option('--max-tasks <n>', 'default: DEFAULT_MAX_TASKS or 3')
    .addHelpText(
      'after',
      `
Prints JSON, with the script the run gets and why (request script > ecs-diagnostics:script tag > alarm-name
route > metric route > default); without --resolve the alarm's tags and a composite's children are not read
(they can change the script). Exit codes: 0 a run would start, 3 the event would be ignored (reason printed),
1 the event is rejected. With STATE_MACHINE_ARN set, alarms of other accounts or regions are ignored, as start-run does.
The cooldown is not evaluated (it needs the state machine's execution history).`,
    )
    .action(async (options: DryRunOptions) => {
      const { dryRun } = await import('../actions/dry-run.ts');
      context.exit(await dryRun(options, clientConfig(context.globals())));
    });
}
