/** `ecs-diag scripts`: the command's flags and help; the action (bin/actions/scripts.ts) loads when it runs. */
import type { Command } from 'commander';
import type { CommandContext } from '../program.ts';

/** Adds `scripts` to the program. */
export function registerScripts(program: Command, context: CommandContext): void {
  program
    .command('scripts')
    .description('list the diagnostic script catalog (what each collects, needs, and its limits)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { listScripts } = await import('../actions/scripts.ts');
      listScripts(options, context);
    });
}
