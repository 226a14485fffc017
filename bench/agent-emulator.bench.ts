/**
 * Agent emulator throughput and memory: a large generated output through the emulator to a lean in-process
 * client that acks every message (ws + codec). Prints MB/s, CPU seconds and peak RSS / heap.
 * `npm run bench -- agent-emulator` (size with BENCH_MB, default 200).
 */
import { createHash, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { decodeMessage, encodeAcknowledge, MessageType } from '#lib/ssm-session/codec.ts';
import { startAgentEmulator } from '#local/agent-emulator/index.ts';

const megabytes = Number(process.env.BENCH_MB ?? 200);
const bytes = megabytes * 1024 * 1024;

const emulator = await startAgentEmulator();
const session = emulator.createSession({ generatedOutputBytes: bytes });
let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed + usage.external + usage.arrayBuffers);
}, 50);

const cpuBefore = process.cpuUsage();
const started = performance.now();
const hash = createHash('sha256');
let received = 0;
let expected = 0;
const early = new Map<number, Buffer>();
const ws = new WebSocket(session.streamUrl);
await new Promise((resolve) => ws.once('open', resolve));
ws.send(
  JSON.stringify({
    MessageSchemaVersion: '1.0',
    RequestId: randomUUID(),
    TokenValue: session.tokenValue,
    ClientId: randomUUID(),
  }),
);
ws.on('message', (data: Buffer) => {
  const message = decodeMessage(data);
  if (message.messageType === MessageType.ChannelClosed) {
    ws.close(1000);
    return;
  }
  if (message.messageType !== MessageType.OutputStreamData) return;
  ws.send(encodeAcknowledge(message));
  const seq = Number(message.sequenceNumber);
  if (seq < expected) return;
  early.set(seq, message.payload);
  for (let next = early.get(expected); next; next = early.get(expected)) {
    early.delete(expected);
    hash.update(next);
    received += next.length;
    expected += 1;
  }
});
await new Promise((resolve) => ws.once('close', resolve));
const report = await emulator.waitForSession(session.sessionId);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(sampler);
await emulator.close();

const ok = received === bytes && hash.digest('hex') === report.outputSha256 && report.violations.length === 0;
const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
process.stdout.write(
  `${megabytes} MiB generated output, ${report.messages} messages, ${report.resends} resends: ` +
    `${seconds.toFixed(2)} s, ${(megabytes / seconds).toFixed(1)} MiB/s, ` +
    `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (emulator + client in one process), ` +
    `peak RSS ${mb(peakRss)} MiB, peak heap+buffers ${mb(peakHeap)} MiB, output ${ok ? 'intact' : 'CORRUPT'}\n`,
);
if (!ok) process.exitCode = 1;
