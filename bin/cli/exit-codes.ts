/**
 * The exit codes of every ecs-diag command (the README's table). `exec` is the exception by design: it exits
 * with the remote command's own code, so its codes 1-123 belong to that command.
 */
export const EXIT = {
  /** The command did what was asked and the result is good (a run whose every target succeeded). */
  ok: 0,
  /** The command worked but the answer is "no": a run failed or was partial, a check failed, an event was rejected. */
  notOk: 1,
  /** Usage: an unknown command or flag, or a flag's bad value. */
  usage: 2,
  /** Nothing to do: dry-run's event would be ignored. */
  ignored: 3,
  /** An AWS call failed or a named resource does not exist (cluster, service, task, run, stack). */
  aws: 4,
  /** exec / attach: cut by --timeout. */
  timeout: 124,
  /** Interrupted with Ctrl-C (the session was terminated). */
  interrupted: 130,
} as const;

/** An error that ends a command with a given exit code and a message that names the fix. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
