/**
 * The ecs-diag command line: one commander program; each command module registers itself and returns its
 * exit code (bin/cli/exit-codes.ts). `main` is what bin/ecs-diag.ts runs and what tests call. A command module
 * (bin/commands/) holds only its flags and help; its action (bin/actions/) is imported when the command runs,
 * so start-up loads no AWS SDK client (tests/integration/build/cli.test.ts checks the built chunks).
 */
import { Command, CommanderError } from 'commander';
import { describeError } from '#lib/errors.ts';
import packageJson from '../package.json' with { type: 'json' };
import { CliError, EXIT } from './cli/exit-codes.ts';
import { type Io, processIo } from './cli/io.ts';
import { registerAttach } from './commands/attach.ts';
import { registerCheck } from './commands/check.ts';
import { registerDryRun } from './commands/dry-run.ts';
import { registerExec } from './commands/exec.ts';
import { registerRun } from './commands/run.ts';
import { registerRuns } from './commands/runs.ts';
import { registerScripts } from './commands/scripts.ts';
import { registerShow } from './commands/show.ts';

/** What a command's action gets besides its own options. */
export interface CommandContext {
  io: Io;
  /** The global options (`--region`, `--profile`, `--stack`). */
  globals(): { region?: string; profile?: string; stack?: string };
  /** Records the command's exit code. */
  exit(code: number): void;
}

/** A command module: adds its subcommand to the program. */
export type Register = (program: Command, context: CommandContext) => void;

const COMMANDS: readonly Register[] = [
  registerRun,
  registerRuns,
  registerShow,
  registerExec,
  registerScripts,
  registerCheck,
  registerAttach,
  registerDryRun,
];

/** Runs ecs-diag with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('ecs-diag')
    .description('Capture and read what ECS containers were doing when an alarm fired.')
    .version(packageJson.version, '-V, --version')
    .option('--region <region>', 'AWS Region (default: the SDK chain: AWS_REGION, the profile)')
    .option('--profile <name>', 'AWS profile, SSO profiles included (default: AWS_PROFILE)')
    .option('--stack <name>', 'the deployed stack: its outputs name the state machine and the bucket')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
    })
    .exitOverride();
  const context: CommandContext = {
    io,
    globals: () => program.opts(),
    exit: (value) => {
      code = value;
    },
  };
  for (const register of COMMANDS) register(program, context);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      if (error.code === 'commander.help') return argv.length === 0 ? EXIT.usage : EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.err(`ecs-diag: ${error.message}${error.exitCode === EXIT.usage ? '\n(add --help for usage)' : ''}`);
      return error.exitCode;
    }
    const { name, message } = describeError(error);
    io.err(`ecs-diag: ${name}: ${message}`);
    return EXIT.notOk;
  }
}
