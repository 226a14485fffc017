/** `ecs-diag attach`: the command's flags and help; the action (bin/actions/attach.ts) loads when it runs. */
import type { Command } from 'commander';
import type { CommandContext } from '../program.ts';

/** The options of `attach`, as commander parses them. */
export interface AttachOptions {
  session: string;
  target?: string;
  out?: string;
  timeout?: string;
}

/** Adds `attach` to the program. */
export function registerAttach(program: Command, context: CommandContext): void {
  program
    .command('attach')
    .description(
      'attach to an existing ExecuteCommand session and write its raw output (stdout or --out FILE)',
    )
    .requiredOption(
      '--session <json|file>',
      'the {sessionId, streamUrl, tokenValue} JSON that ECS ExecuteCommand returns (or the whole response, or a file)',
    )
    .option(
      '--target <id>',
      'ecs:<cluster>_<task>_<runtimeId>, the KMS encryption context (KMS-encrypted clusters)',
    )
    .option('--out <file>', 'write the output to FILE instead of stdout (a new FILE is readable by you only)')
    .option(
      '--timeout <seconds>',
      'stop after this long: Ctrl-C, terminate the session, keep the output, exit 124',
    )
    .addHelpText(
      'after',
      `
Without --timeout it runs until the session ends; a connection that stays silent for 60 s after a keepalive
ping is taken as dead (the session is terminated, exit 1). Exit codes: 0 normal close, 1 failure, 2 usage,
124 cut by --timeout, 130 interrupted (Ctrl-C). Honours AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_KMS.`,
    )
    .action(async (options: AttachOptions) => {
      const { attach } = await import('../actions/attach.ts');
      await attach(options, context);
    });
}
