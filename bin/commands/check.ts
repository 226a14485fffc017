/**
 * `ecs-diag check --cluster C --task T [--container X] [--principal ARN] [--json]`: the command's flags and
 * help; the action (bin/actions/check.ts) loads when it runs.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../program.ts';

/** The options of `check`, as commander parses them. */
export interface CheckOptions {
  cluster: string;
  task: string;
  container?: string;
  principal?: string;
  json?: boolean;
}

/** Adds `check` to the program. */
export function registerCheck(program: Command, context: CommandContext): void {
  program
    .command('check')
    .description('ECS Exec readiness checks for one task: a table, exit 1 when any check fails')
    .requiredOption('--cluster <name>', 'the cluster (name or ARN)')
    .requiredOption('--task <id>', 'the task (id or ARN)')
    .option('--container <name>', 'only this container (default: the task’s application containers)')
    .option('--principal <arn>', 'the role or user that calls ExecuteCommand (default: EXEC_ROLE_ARN)')
    .option('--json', 'print JSON')
    .action(async (options: CheckOptions) => {
      const { checkTask } = await import('../actions/check.ts');
      await checkTask(options, context);
    });
}
