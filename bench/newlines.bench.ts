/**
 * Newline benchmark: the capture's NewlineRestorer on generated output in 1 KiB chunks (the agent's payload
 * size), after a prelude that says the pty still translates (every `\r\n` undone) or that `stty -onlcr` worked
 * (passed through). Reports MB/s of wall time and CPU seconds.
 *
 *   npm run bench -- newlines            (NEWLINES_BENCH_MB=32 by default)
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PRELUDE_PREFIX } from '#lib/capture/command.ts';
import { NewlineRestorer } from '#lib/capture/newlines.ts';
import { generatedOutput } from '#local/agent-emulator/generated-output.ts';

const MB = 1024 * 1024;
const TOTAL = Number(process.env.NEWLINES_BENCH_MB ?? 32) * MB;
const NONCE = '0123456789abcdef0123456789abcdef';

const produced: Buffer[] = [];
for await (const chunk of generatedOutput(TOTAL)) produced.push(chunk as Buffer);
const all = Buffer.concat(produced);
const pieces: Buffer[] = [];
for (let at = 0; at < all.length; at += 1024) pieces.push(all.subarray(at, at + 1024));

for (const [label, ending] of [
  ['CRLF undone (no stty)', '\r\n'],
  ['stty -onlcr worked   ', '\n'],
] as const) {
  globalThis.gc?.();
  const prelude = Buffer.from(`${PRELUDE_PREFIX}${NONCE}${ending}`);
  let bytes = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await pipeline(
    Readable.from([prelude, ...pieces]),
    new NewlineRestorer(NONCE),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${label} ${(TOTAL / MB / seconds).toFixed(0).padStart(4)} MB/s  cpu ${((used.user + used.system) / 1e6).toFixed(2)} s  ` +
      `${(TOTAL / MB).toFixed(0)} MiB in, ${(bytes / MB).toFixed(1)} MiB out\n`,
  );
}
