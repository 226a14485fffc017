/**
 * A whole process that writes a capture to stdout, timed by GNU time (/usr/bin/time): its own CPU (user + system)
 * and peak RSS, and the SHA-256 of its stdout without the framing it adds (a known prefix and suffix). The bench
 * hashes the stdout in its own process, so the process is charged only its own work. Used for the official plugin
 * and for the built `ecs-diag attach`, side by side in the capture benchmark.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One run: the process's CPU and peak RSS (GNU time), wall seconds, and the hash of its output. */
export interface ProcessRun {
  seconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  sha256: string;
  bytes: number;
}

/** True when GNU time is installed where `runTimedProcess` looks for it. */
export function hasGnuTime(): boolean {
  return existsSync('/usr/bin/time');
}

/**
 * Runs `command args` under GNU time with stdin open and silent, hashes its stdout as it arrives (everything but
 * the last `suffix.length` bytes; the head must be `prefix`), and checks it exited 0 and ended with `suffix`.
 */
export async function runTimedProcess(options: {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  prefix?: Buffer;
  suffix?: Buffer;
}): Promise<ProcessRun> {
  const prefix = options.prefix ?? Buffer.alloc(0);
  const suffix = options.suffix ?? Buffer.alloc(0);
  const dir = mkdtempSync(join(tmpdir(), 'timed-process-'));
  const timeFile = join(dir, 'time');
  const start = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, options.command, ...options.args], {
    // stdin stays open and silent: at EOF the plugin gives up the session ("Cannot perform start session: EOF").
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { HOME: dir, ...options.env },
  });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-2000);
  });
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let headDone = prefix.length === 0;
  let tail = Buffer.alloc(0);
  let bytes = 0;
  for await (const chunk of child.stdout) {
    let data = chunk as Buffer;
    if (!headDone) {
      head = Buffer.concat([head, data]);
      if (head.length < prefix.length) continue;
      if (!head.subarray(0, prefix.length).equals(prefix)) {
        throw new Error(
          `${options.command}'s output did not start as expected: ${JSON.stringify(head.toString().slice(0, 200))}`,
        );
      }
      data = head.subarray(prefix.length);
      headDone = true;
    }
    if (suffix.length === 0) {
      hash.update(data);
      bytes += data.length;
      continue;
    }
    const joined = Buffer.concat([tail, data]);
    const keep = Math.min(joined.length, suffix.length);
    const ready = joined.subarray(0, joined.length - keep);
    hash.update(ready);
    bytes += ready.length;
    tail = Buffer.from(joined.subarray(joined.length - keep));
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0 || !tail.equals(suffix)) {
    throw new Error(
      `${options.command} exited ${code} and its output ended ${JSON.stringify(tail.toString())}\n${stderr}`,
    );
  }
  const [user, system, maxRssKb] =
    readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  rmSync(dir, { recursive: true, force: true });
  return {
    seconds,
    cpuSeconds: (user ?? Number.NaN) + (system ?? Number.NaN),
    peakRssBytes: (maxRssKb ?? Number.NaN) * 1024,
    sha256: hash.digest('hex'),
    bytes,
  };
}
