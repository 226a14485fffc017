/**
 * Child-process driver for the memory test: captures one session (credentials JSON in argv[2]), hashing the
 * output as it streams and collecting garbage every 8 MB, and prints {bytes, sha256, baselineRss, peakRss} as JSON. Run with Node 24.
 */
import { createHash } from 'node:crypto';
import { openSessionCapture } from '#lib/ssm-session/index.ts';

const session = JSON.parse(process.argv[2] ?? '{}') as {
  sessionId: string;
  streamUrl: string;
  tokenValue: string;
};
globalThis.gc?.();
const baselineRss = process.memoryUsage.rss();
let peakRss = baselineRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 20);
const capture = openSessionCapture({ session });
const hash = createHash('sha256');
let bytes = 0;
let collectedAt = 0;
for await (const chunk of capture.output) {
  hash.update(chunk as Buffer);
  bytes += (chunk as Buffer).length;
  // Collect every 8 MB so the peak measures what the client retains, not how lazily V8 collects on a loaded machine.
  if (bytes - collectedAt >= 8 * 1024 * 1024) {
    collectedAt = bytes;
    globalThis.gc?.();
  }
}
const summary = await capture.done;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
process.stdout.write(
  `${JSON.stringify({ bytes, sha256: hash.digest('hex'), baselineRss, peakRss, summary })}\n`,
);
