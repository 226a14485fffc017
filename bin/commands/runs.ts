/** `ecs-diag runs`: the command's flags and help; the action (bin/actions/runs.ts) loads when it runs. */
import type { Command } from 'commander';
import { sinceDuration, wholeNumber } from '../cli/options.ts';
import type { CommandContext } from '../program.ts';

/** The options of `runs`, as commander parses them. */
export interface RunsOptions {
  cluster?: string;
  service?: string;
  since?: number;
  status?: string;
  limit: number;
  json?: boolean;
  stateMachineArn?: string;
  bucket?: string;
}

/** The Step Functions execution statuses `--status` accepts. */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
/** The manifest outcomes `--status` accepts. */
export const OUTCOMES = ['succeeded', 'partial', 'failed'];

/** Adds `runs` to the program. */
export function registerRuns(program: Command, context: CommandContext): void {
  program
    .command('runs')
    .description('list recent runs, newest first, with their outcome and counts')
    .option('--cluster <name>', 'only runs on this cluster')
    .option('--service <name>', 'only runs on this service')
    .option('--since <duration>', 'only runs started within this long (30m, 1h, 2d)', sinceDuration)
    .option(
      '--status <status>',
      `an outcome (${OUTCOMES.join(', ')}) or an execution status (${EXECUTION_STATUSES.join(', ')})`,
    )
    .option('--limit <n>', 'at most this many runs', wholeNumber(1, 1000), 20)
    .option('--json', 'print JSON')
    .option('--state-machine-arn <arn>', 'default: --stack outputs or STATE_MACHINE_ARN')
    .option('--bucket <name>', 'default: --stack outputs or OUTPUT_BUCKET')
    .action(async (options: RunsOptions) => {
      const { listRecentRuns } = await import('../actions/runs.ts');
      await listRecentRuns(options, context);
    });
}
