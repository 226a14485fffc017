import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { InvalidRequestError } from '#lib/errors.ts';
import { shellQuote, shellSplit } from './shlex.ts';

/** How long script(1) gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 1000;

/** A command running under a pseudo-terminal: `output` carries the pty's bytes (stdout+stderr, CRLF). */
export interface PtyCommand {
  output: Readable;
  /** Bytes typed into the terminal (0x03 interrupts the foreground process). */
  write(data: Buffer): void;
  /** Ends the command (the pty closes, the process gets SIGHUP). */
  kill(): void;
  exited: Promise<void>;
}

/**
 * Runs a command the way the agent's InteractiveCommands plugin does: the string is shell-split into argv and
 * exec'd directly (no shell features) under a pty, with TERM=xterm-256color and LANG=C.UTF-8 unless set.
 * util-linux `script` provides the pty; its `-c` goes through /bin/sh, so every argv word is single-quoted
 * and the line is `exec <words>`: the shell only execs, it never interprets the command.
 */
export function startPtyCommand(command: string, env: Record<string, string> = {}): PtyCommand {
  const argv = shellSplit(command);
  if (argv.length === 0) throw new InvalidRequestError('command', 'is empty; give the program to run');
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    ...env,
    // script(1) runs -c with $SHELL: it must be a POSIX shell for the exec line below.
    SHELL: '/bin/sh',
  };
  childEnv.TERM ??= 'xterm-256color';
  childEnv.LANG ??= 'C.UTF-8';
  const line = `exec ${argv.map(shellQuote).join(' ')}`;
  const child: ChildProcessByStdio<Writable, Readable, null> = spawn(
    'script',
    ['--quiet', '--flush', '--return', '--command', line, '/dev/null'],
    { env: childEnv, stdio: ['pipe', 'pipe', 'ignore'] },
  );
  child.stdin.on('error', () => {
    // The command may exit while input is in flight: typing into a closed terminal is not an error.
  });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', (error) => {
      child.stdout.destroy(error);
      resolve();
    });
  });
  return {
    output: child.stdout,
    write(data) {
      if (child.stdin.writable) child.stdin.write(data);
    },
    kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // script(1) may be blocked writing output we stopped reading (flow control): close our end so its write
      // fails, then SIGTERM, and SIGKILL if it still lingers. The pty closes and the command gets SIGHUP.
      child.stdout.destroy();
      child.stdin.destroy();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      child.once('close', () => clearTimeout(timer));
    },
    exited,
  };
}
