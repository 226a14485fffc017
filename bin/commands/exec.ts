/** `ecs-diag exec`: the command's flags and help; the action (bin/actions/exec.ts) loads when it runs. */
import type { Command } from 'commander';
import { seconds, wholeNumber } from '../cli/options.ts';
import type { CommandContext } from '../program.ts';

/** The options of `exec`, as commander parses them. */
export interface ExecOptions {
  cluster: string;
  task: string;
  container?: string;
  timeout?: number;
  retries: number;
}

/** Adds `exec` to the program. */
export function registerExec(program: Command, context: CommandContext): void {
  program
    .command('exec')
    .description("run a command in a task's container and stream its output; exits with the command's code")
    .requiredOption('--cluster <name>', 'cluster name or ARN')
    .requiredOption('--task <id>', 'task id or ARN')
    .option('--container <name>', 'container (default: the only application container)')
    .option('--timeout <seconds>', 'stop after this long: Ctrl-C, terminate the session, exit 124', seconds)
    .option('--retries <n>', "TargetNotConnected retries, on the pipeline's schedule", wholeNumber(0, 8), 8)
    .argument('<command...>', 'the command and its arguments (after --)')
    .action(async (argv: string[], options: ExecOptions) => {
      const { execCommand } = await import('../actions/exec.ts');
      await execCommand(argv, options, context);
    });
}
