/** `ecs-diag run`: the command's flags and help; the action (bin/actions/run.ts) loads when it runs. */
import { type Command, Option } from 'commander';
import { MAX_TASKS_LIMIT } from '#lib/limits.ts';
import { collect, wholeNumber } from '../cli/options.ts';
import type { CommandContext } from '../program.ts';

/** The options of `run`, as commander parses them. */
export interface RunOptions {
  cluster: string;
  service?: string;
  task?: string[];
  container?: string;
  script?: string;
  maxTasks?: number;
  reason?: string;
  wait?: boolean;
  json?: boolean;
  stateMachineArn?: string;
  bucket?: string;
  pollMs: number;
}

/** Adds `run` to the program. */
export function registerRun(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('start a manual diagnostics run; --wait follows it and prints what it found')
    .requiredOption('--cluster <name>', 'cluster name or ARN')
    .option('--service <name>', "diagnose this service's tasks")
    .option('--task <id>', 'diagnose this task (repeat for several)', collect)
    .option('--container <name>', 'the container (default: the essential, non-sidecar ones)')
    .option('--script <name>', "catalog script (see `ecs-diag scripts`; default: the stack's DefaultScript)")
    .option('--max-tasks <n>', 'tasks to sample', wholeNumber(1, MAX_TASKS_LIMIT))
    .option('--reason <text>', 'why (recorded in the manifest)')
    .option('--wait', 'follow the run to its end, with live progress')
    .option('--json', 'print JSON (with --wait: the manifest)')
    .option('--state-machine-arn <arn>', 'default: --stack outputs or STATE_MACHINE_ARN')
    .option('--bucket <name>', 'default: --stack outputs or OUTPUT_BUCKET')
    .addOption(
      new Option('--poll-ms <n>', 'poll interval with --wait')
        .argParser(wholeNumber(10, 60_000))
        .default(2000)
        .hideHelp(),
    )
    .action(async (options: RunOptions) => {
      const { startRun } = await import('../actions/run.ts');
      await startRun(options, context);
    });
}
