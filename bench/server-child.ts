import { type ChildProcess, fork } from 'node:child_process';

/** A benchmark's servers, run in a child process so their CPU never counts as the client's. */
export interface ServerChild {
  child: ChildProcess;
  /** The child's next message. */
  next(): Promise<Record<string, unknown>>;
}

/** Forks `script --serve` with an IPC channel and queues the messages it sends back, in order. */
export function forkServerChild(script: string): ServerChild {
  const child = fork(script, ['--serve'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: Array<(message: Record<string, unknown>) => void> = [];
  child.on('message', (message: Record<string, unknown>) => inbox.shift()?.(message));
  return { child, next: () => new Promise((resolve) => inbox.push(resolve)) };
}
