import { constants } from 'node:os';
import { Readable } from 'node:stream';
import { type IPty, spawn } from '@lydell/node-pty';
import { InvalidRequestError } from '#lib/errors.ts';
import { shellQuote, shellSplit } from './shlex.ts';

/** How long the command gets to exit after SIGTERM (and the terminal's SIGHUP) before SIGKILL. */
const KILL_GRACE_MS = 1000;
/**
 * node-pty closes the terminal 200 ms after the command exits, whatever is still unread in it. While output
 * reading is paused (flow control), the command's exit is checked this often so the rest is read in time.
 */
const EXIT_POLL_MS = 20;
/** Output read from the terminal and not yet consumed; past it the terminal is paused and the command blocks. */
const OUTPUT_HIGH_WATER_MARK = 64 * 1024;
/**
 * The agent's pty starts at 0×0 until the client's Size; node-pty takes 0 for "its default", so the terminal
 * starts at 80×24, what programs fall back to when they read 0 columns.
 */
const INITIAL_SIZE = { cols: 80, rows: 24 };

/** How the command ended: its exit code, or the signal that ended it. */
export interface PtyExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** A command running under a pseudo-terminal: `output` carries the pty's bytes (stdout+stderr, CRLF). */
export interface PtyCommand {
  output: Readable;
  /** Bytes typed into the terminal (0x03 interrupts the foreground process). */
  write(data: Buffer): void;
  /** Sets the terminal's size (SIGWINCH to the command); sizes of 0 are ignored. */
  resize(cols: number, rows: number): void;
  /** Ends the command: SIGTERM, SIGHUP to its process group as a closing terminal sends, SIGKILL if it lingers. */
  kill(): void;
  /** Resolves once the command has exited and its output has been read. */
  exited: Promise<PtyExit>;
}

/**
 * Runs a command the way the agent's InteractiveCommands plugin does: the string is shell-split into argv and
 * exec'd directly (no shell features) under a pty, with TERM=xterm-256color and LANG=C.UTF-8 unless set.
 * The pty comes from node-pty; the command goes through /bin/sh as `exec <single-quoted words>`, so the shell
 * only execs (it never interprets the command) and a missing program is reported as sh reports it.
 */
export function startPtyCommand(command: string, env: Record<string, string> = {}): PtyCommand {
  const argv = shellSplit(command);
  if (argv.length === 0) throw new InvalidRequestError('command', 'is empty; give the program to run');
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/',
    ...env,
  };
  childEnv.TERM ??= 'xterm-256color';
  childEnv.LANG ??= 'C.UTF-8';
  const line = `exec ${argv.map(shellQuote).join(' ')}`;
  let terminal: IPty;
  try {
    // encoding null: Buffers out, no IUTF8 in the termios (the agent's pty has the kernel's defaults).
    terminal = spawn('/bin/sh', ['-c', line], { env: childEnv, encoding: null, ...INITIAL_SIZE });
  } catch (error) {
    return failedCommand(error as Error);
  }
  return attach(terminal);
}

function attach(terminal: IPty): PtyCommand {
  const pid = terminal.pid;
  let paused = false;
  let commandGone = false;
  let exited = false;
  let exitPoll: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const stopPolling = (): void => {
    clearInterval(exitPoll);
    exitPoll = undefined;
  };
  const resume = (): void => {
    if (!paused) return;
    paused = false;
    stopPolling();
    terminal.resume();
  };
  const output = new Readable({
    highWaterMark: OUTPUT_HIGH_WATER_MARK,
    read: resume,
  });
  const pause = (): void => {
    if (paused || commandGone) return;
    paused = true;
    terminal.pause();
    exitPoll = setInterval(() => {
      if (processExists(pid)) return;
      // An exited command writes no more: what is left in the terminal is bounded, read it all before
      // node-pty closes the terminal.
      commandGone = true;
      resume();
    }, EXIT_POLL_MS);
  };

  // The listener's type says string; with encoding null node-pty hands over Buffers.
  terminal.onData((data: string | Buffer) => {
    if (output.destroyed) return;
    if (!output.push(typeof data === 'string' ? Buffer.from(data) : data)) pause();
  });
  const done = new Promise<PtyExit>((resolve) => {
    terminal.onExit(({ exitCode, signal }) => {
      exited = true;
      stopPolling();
      clearTimeout(killTimer);
      if (!output.destroyed) output.push(null);
      resolve(signal ? { exitCode: null, signal: signalName(signal) } : { exitCode, signal: null });
    });
  });

  return {
    output,
    write(data) {
      // node-pty writes a Buffer as is; after the command exited, writing is a no-op.
      if (!exited) terminal.write(data as unknown as string);
    },
    resize(cols, rows) {
      if (exited || cols <= 0 || rows <= 0) return;
      try {
        terminal.resize(cols, rows);
      } catch {
        // The terminal closed between the exit and its report: there is nothing left to resize.
      }
    },
    kill() {
      if (exited || killTimer) return;
      // The output is no longer wanted: drain the terminal so a command blocked writing it can exit.
      output.destroy();
      resume();
      signal(pid, 'SIGTERM');
      signal(-pid, 'SIGHUP');
      killTimer = setTimeout(() => signal(-pid, 'SIGKILL'), KILL_GRACE_MS);
    },
    exited: done,
  };
}

/** A command that could not start (no pty available): its output fails with the reason. */
function failedCommand(error: Error): PtyCommand {
  const output = new Readable({ read() {} });
  output.destroy(new Error(`could not start the command under a pty: ${error.message}`));
  return {
    output,
    write() {},
    resize() {},
    kill() {},
    exited: Promise.resolve({ exitCode: null, signal: null }),
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal to a process (or, negative, its process group) that may have exited already. */
function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}

function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, value]) => value === signal);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}
