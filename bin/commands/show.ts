/** `ecs-diag show RUN`: the command's flags and help; the action (bin/actions/show.ts) loads when it runs. */
import type { Command } from 'commander';
import type { CommandContext } from '../program.ts';

/** The options of `show`, as commander parses them. */
export interface ShowOptions {
  target?: string;
  output?: boolean;
  download?: string;
  json?: boolean;
  stateMachineArn?: string;
  bucket?: string;
}

/** Adds `show` to the program. */
export function registerShow(program: Command, context: CommandContext): void {
  program
    .command('show')
    .description(
      "show a run's manifest as a table; --output prints a target's output; --download saves it all",
    )
    .argument('<run>', 'execution name or ARN')
    .option('--target <task[/container]>', 'one target (task id or ARN, optionally /container)')
    .option('--output', "print the target's captured output (raw bytes) instead of the table")
    .option('--download <dir>', 'download the manifest, the report page and every output into DIR/<run>/')
    .option('--json', 'print the manifest as JSON')
    .option('--state-machine-arn <arn>', 'default: --stack outputs or STATE_MACHINE_ARN')
    .option('--bucket <name>', 'default: --stack outputs or OUTPUT_BUCKET')
    .action(async (run: string, options: ShowOptions) => {
      const { showRun } = await import('../actions/show.ts');
      await showRun(run, options, context);
    });
}
