/**
 * Agent emulator throughput and memory: a large generated output, then a real command's output through the pty,
 * each through the emulator to a lean in-process client that acks every message (ws + codec).
 * Prints MiB/s, CPU seconds (emulator + client share the process) and peak RSS / heap.
 * `npm run bench -- agent-emulator` (sizes with BENCH_MB, default 200, and BENCH_PTY_MB, default 20).
 */
import { createHash, randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { encodeAcknowledge } from '#lib/ssm-session/acknowledge.ts';
import { decodeMessage, MessageType } from '#lib/ssm-session/codec.ts';
import { type AgentEmulator, type SessionSpec, startAgentEmulator } from '#local/agent-emulator/index.ts';

const MiB = 1024 * 1024;
const generatedMiB = Number(process.env.BENCH_MB ?? 200);
const ptyMiB = Number(process.env.BENCH_PTY_MB ?? 20);
const PTY_LINE = '0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghij';

/** Reads one session to the end, acking everything; returns the bytes and their SHA-256 in sequence order. */
async function capture(url: string, tokenValue: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let expected = 0;
  const early = new Map<number, Buffer>();
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(
    JSON.stringify({
      MessageSchemaVersion: '1.0',
      RequestId: randomUUID(),
      TokenValue: tokenValue,
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
      bytes += next.length;
      expected += 1;
    }
  });
  await new Promise((resolve) => ws.once('close', resolve));
  return { bytes, sha256: hash.digest('hex') };
}

async function measure(
  emulator: AgentEmulator,
  label: string,
  spec: SessionSpec,
  expectedBytes: number,
): Promise<boolean> {
  global.gc?.();
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed + usage.external + usage.arrayBuffers);
  }, 50);
  const session = emulator.createSession(spec);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await capture(session.streamUrl, session.tokenValue);
  const report = await emulator.waitForSession(session.sessionId);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  const ok =
    result.bytes === expectedBytes && result.sha256 === report.outputSha256 && report.violations.length === 0;
  const mb = (n: number): string => (n / MiB).toFixed(1);
  process.stdout.write(
    `${label}: ${mb(result.bytes)} MiB, ${report.messages} messages, ${report.resends} resends, ` +
      `${seconds.toFixed(2)} s, ${(result.bytes / MiB / seconds).toFixed(1)} MiB/s, ` +
      `CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, peak RSS ${mb(peakRss)} MiB, ` +
      `peak heap+buffers ${mb(peakHeap)} MiB, output ${ok ? 'intact' : 'CORRUPT'}\n`,
  );
  return ok;
}

const emulator = await startAgentEmulator();
const results = [
  await measure(emulator, 'generated', { generatedOutputBytes: generatedMiB * MiB }, generatedMiB * MiB),
  await measure(
    emulator,
    'pty (yes | head)',
    { command: `sh -c 'yes ${PTY_LINE} | head -c ${ptyMiB * MiB}'` },
    // Every LF becomes CRLF in the terminal.
    ptyMiB * MiB + Math.floor((ptyMiB * MiB) / (PTY_LINE.length + 1)),
  ),
];
await emulator.close();
if (results.includes(false)) process.exitCode = 1;
