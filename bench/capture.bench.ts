/**
 * Capture benchmark: throughput of openSessionCapture for a large output through the agent emulator, against a
 * raw websocket baseline moving the same bytes in 1 KiB binary frames with no protocol. The servers run in a child
 * process so the numbers (CPU seconds, peak RSS) are the client's alone.
 *
 *   npm run bench -- capture              (CAPTURE_BENCH_MB=100 by default)
 *   SSM_PLUGIN=/path/to/session-manager-plugin npm run bench -- capture
 *                                         (adds the official plugin against the same emulator, see
 *                                          session-manager-plugin.ts)
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { KMSClient } from '@aws-sdk/client-kms';
import WebSocket, { WebSocketServer } from 'ws';
import { openSessionCapture, type SessionCredentials } from '#lib/ssm-session/index.ts';
import { generatedOutput } from '#local/agent-emulator/generated-output.ts';
import { startAgentEmulator } from '#local/agent-emulator/index.ts';
import { forkServerChild } from './server-child.ts';
import { type PluginRun, runPlugin, startKmsProxy } from './session-manager-plugin.ts';

const MB = 1024 * 1024;
const FRAME = 1024;
const REGION = 'eu-west-1';
const PLUGIN = process.env.SSM_PLUGIN;
const TARGET = 'ecs:bench_0123456789abcdef0123456789abcdef_0123456789abcdef-1234567890';

type Request =
  | { type: 'session'; bytes: number; kms: boolean }
  | { type: 'report'; sessionId: string }
  | { type: 'cpu' }
  | { type: 'stop' };

/** Child side: the agent emulator and a raw websocket server that streams generated output in 1 KiB frames. */
async function serve(): Promise<void> {
  const emulator = await startAgentEmulator();
  const raw = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve) => raw.once('listening', resolve));
  raw.on('connection', (socket, request) => {
    const bytes = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('bytes'));
    void streamRaw(socket, bytes);
  });
  const rawUrl = `ws://127.0.0.1:${(raw.address() as AddressInfo).port}`;
  const kmsProxy = PLUGIN === undefined ? undefined : await startKmsProxy(emulator.httpEndpoint, REGION);
  process.send?.({
    type: 'ready',
    rawUrl,
    httpEndpoint: emulator.httpEndpoint,
    ...(kmsProxy === undefined ? {} : { kmsProxy: { proxyUrl: kmsProxy.proxyUrl, caFile: kmsProxy.caFile } }),
  });
  process.on('message', (message: Request) => {
    if (message.type === 'session') {
      const session = emulator.createSession({
        generatedOutputBytes: message.bytes,
        ...(message.kms ? { kms: { keyId: 'alias/bench' }, targetId: TARGET } : {}),
      });
      process.send?.({ type: 'session', session });
    } else if (message.type === 'cpu') {
      const used = process.cpuUsage();
      process.send?.({ type: 'cpu', seconds: (used.user + used.system) / 1e6 });
    } else if (message.type === 'report') {
      void emulator
        .waitForSession(message.sessionId)
        .then((report) => process.send?.({ type: 'report', report }));
    } else {
      raw.close();
      kmsProxy?.close();
      void emulator.close().then(() => process.exit(0));
    }
  });
}

async function streamRaw(socket: WebSocket, bytes: number): Promise<void> {
  let pending = Buffer.alloc(0);
  for await (const block of generatedOutput(bytes)) {
    pending = Buffer.concat([pending, block as Buffer]);
    while (pending.length >= FRAME) {
      socket.send(pending.subarray(0, FRAME));
      pending = pending.subarray(FRAME);
    }
    while (socket.bufferedAmount > 2 * MB) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (pending.length > 0) socket.send(pending);
  socket.close(1000);
}

interface Measured {
  seconds: number;
  cpuSeconds: number;
  serverCpuSeconds?: number;
  sha256: string;
  bytes: number;
  chunks?: number;
}

async function measure(
  work: () => Promise<{ sha256: string; bytes: number; chunks?: number }>,
): Promise<Measured> {
  globalThis.gc?.();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const done = await work();
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, ...done };
}

async function hashStream(
  stream: Readable | AsyncIterable<unknown>,
): Promise<{ sha256: string; bytes: number; chunks: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let chunks = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    chunks += 1;
  }
  return { sha256: hash.digest('hex'), bytes, chunks };
}

/**
 * The bench's own consumer on its own: hashStream over `chunks` chunks of `bytes` in all, from a stream, as it
 * reads our capture's output. Its CPU is in our rows and not in the plugin's (whose stdout the bench hashes
 * outside the plugin's process).
 */
async function consumerAlone(bytes: number, chunks: number): Promise<Measured> {
  const chunk = Buffer.alloc(Math.ceil(bytes / chunks), 'x');
  return measure(() => hashStream(Readable.from(Array.from({ length: chunks }, () => chunk))));
}

function rawReceive(url: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('message', (data: Buffer) => {
      hash.update(data);
      bytes += data.length;
    });
    socket.on('close', () => resolve({ sha256: hash.digest('hex'), bytes }));
    socket.on('error', reject);
  });
}

async function main(): Promise<void> {
  const megabytes = Number(process.env.CAPTURE_BENCH_MB ?? '100');
  const bytes = Math.round(megabytes * MB);
  const { child, next } = forkServerChild(import.meta.filename);
  const ready = await next();
  const rawUrl = ready.rawUrl as string;
  process.on('exit', () => child.kill());
  const kms = new KMSClient({
    endpoint: ready.httpEndpoint as string,
    region: REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });

  async function newSession(size: number, encrypted: boolean): Promise<SessionCredentials> {
    child.send({ type: 'session', bytes: size, kms: encrypted } satisfies Request);
    return ((await next()) as { session: SessionCredentials }).session;
  }
  /** Byte-exact always; zero violations for our client (the plugin's are reported, it is not ours to fix). */
  async function checkReport(
    sessionId: string,
    run: { sha256: string; bytes: number },
    size: number,
    allowViolations = false,
  ): Promise<string[]> {
    child.send({ type: 'report', sessionId } satisfies Request);
    const { report } = (await next()) as { report: { outputSha256: string; violations: string[] } };
    if (report.outputSha256 !== run.sha256 || run.bytes !== size) {
      throw new Error(`capture was not byte-exact (${run.bytes} of ${size} bytes)`);
    }
    if (report.violations.length > 0 && !allowViolations) {
      throw new Error(`capture had protocol violations: ${JSON.stringify(report.violations)}`);
    }
    return report.violations;
  }
  const pluginViolations = new Set<string>();
  /** The official plugin on one session of `size` bytes, checked byte-exact and violation-free. */
  async function plugin(size: number, encrypted: boolean): Promise<PluginRun> {
    const session = await newSession(size, encrypted);
    const run = await runPlugin({
      plugin: PLUGIN as string,
      session,
      region: REGION,
      target: TARGET,
      ssmEndpoint: ready.httpEndpoint as string,
      ...(encrypted ? { kmsProxy: ready.kmsProxy as { proxyUrl: string; caFile: string } } : {}),
    });
    for (const violation of await checkReport(session.sessionId, run, size, true)) {
      pluginViolations.add(violation.replace(/\d+/g, 'N'));
    }
    return run;
  }

  async function capture(encrypted: boolean): Promise<Measured> {
    const session = await newSession(bytes, encrypted);
    const result = await measure(async () => {
      const running = openSessionCapture({ session, kms, targetId: TARGET });
      const hashed = await hashStream(running.output);
      await running.done;
      return hashed;
    });
    await checkReport(session.sessionId, result, bytes);
    return result;
  }

  // Warm-up (JIT, KMS client) on a small run, then the measured runs.
  child.send({ type: 'session', bytes: 4 * MB, kms: true } satisfies Request);
  const warm = (await next()) as { session: SessionCredentials };
  const warmCapture = openSessionCapture({ session: warm.session, kms, targetId: TARGET });
  await hashStream(warmCapture.output);
  await warmCapture.done;
  await rawReceive(`${rawUrl}/?bytes=${4 * MB}`);

  async function serverCpu(): Promise<number> {
    child.send({ type: 'cpu' } satisfies Request);
    return (await next()).seconds as number;
  }
  async function withPluginServerCpu(run: () => Promise<PluginRun>): Promise<PluginRun & Measured> {
    const before = await serverCpu();
    const result = await run();
    return { ...result, serverCpuSeconds: (await serverCpu()) - before };
  }
  async function withServerCpu(run: () => Promise<Measured>): Promise<Measured> {
    const before = await serverCpu();
    const result = await run();
    return { ...result, serverCpuSeconds: (await serverCpu()) - before };
  }

  const rssBefore = process.memoryUsage.rss();
  const rawRun = await withServerCpu(() => measure(() => rawReceive(`${rawUrl}/?bytes=${bytes}`)));
  const plain = await withServerCpu(() => capture(false));
  const encrypted = await withServerCpu(() => capture(true));
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const consumer = await consumerAlone(bytes, plain.chunks ?? 1);
  const kmsConsumer = await consumerAlone(bytes, encrypted.chunks ?? 1);
  // The plugin's start-up (a 1 KiB session) is measured too, and subtracted: CPU-s/MB net of start-up.
  const plugins =
    PLUGIN === undefined
      ? undefined
      : {
          plainStart: await plugin(1024, false),
          plain: await withPluginServerCpu(() => plugin(bytes, false)),
          kmsStart: await plugin(1024, true),
          kms: await withPluginServerCpu(() => plugin(bytes, true)),
        };
  if (rawRun.sha256 !== plain.sha256)
    throw new Error('the raw baseline moved different bytes than the capture');

  const rate = (run: Measured) => megabytes / run.seconds;
  const net = (run: PluginRun & Measured, start: PluginRun): Measured => ({
    ...run,
    cpuSeconds: run.cpuSeconds - start.cpuSeconds,
  });
  const line = (name: string, run: Measured) =>
    `${name.padEnd(28)} ${rate(run).toFixed(1).padStart(7)} MB/s  ${run.seconds.toFixed(2).padStart(6)} s  ` +
    `${(run.cpuSeconds / megabytes).toFixed(4)} client CPU-s/MB  ` +
    `(server ${((run.serverCpuSeconds ?? 0) / megabytes).toFixed(4)} CPU-s/MB)`;
  process.stdout.write(
    [
      `capture of ${megabytes} MB (generated output, 1 KiB messages), servers in a child process`,
      line('raw websocket baseline', rawRun),
      line('openSessionCapture', plain),
      line('openSessionCapture + KMS', encrypted),
      `ratio capture / raw          ${(rate(plain) / rate(rawRun)).toFixed(2)}`,
      `ratio capture+KMS / raw      ${(rate(encrypted) / rate(rawRun)).toFixed(2)}`,
      `client peak RSS              ${(peakRss / MB).toFixed(1)} MB (RSS before the measured runs ${(rssBefore / MB).toFixed(1)} MB)`,
      `bench's own hashing          ${(consumer.cpuSeconds / megabytes).toFixed(4)} CPU-s/MB (SHA-256 and for await over ${plain.chunks} chunks, as it reads our output; in our rows, not in the plugin's), KMS ${(kmsConsumer.cpuSeconds / megabytes).toFixed(4)}`,
      ...(plugins === undefined
        ? ['(set SSM_PLUGIN=/path/to/session-manager-plugin to add the official plugin)']
        : [
            line('session-manager-plugin', net(plugins.plain, plugins.plainStart)),
            line('session-manager-plugin + KMS', net(plugins.kms, plugins.kmsStart)),
            `plugin start-up (1 KiB)      ${plugins.plainStart.cpuSeconds.toFixed(3)} / KMS ${plugins.kmsStart.cpuSeconds.toFixed(3)} CPU-s (subtracted above)`,
            `plugin peak RSS              ${(plugins.plain.peakRssBytes / MB).toFixed(1)} MB / KMS ${(plugins.kms.peakRssBytes / MB).toFixed(1)} MB`,
            `plugin protocol violations   ${pluginViolations.size === 0 ? 'none' : [...pluginViolations].join('; ')}`,
            `ours / plugin CPU per MB     ${(plain.cpuSeconds / net(plugins.plain, plugins.plainStart).cpuSeconds).toFixed(2)} plain, ${(encrypted.cpuSeconds / net(plugins.kms, plugins.kmsStart).cpuSeconds).toFixed(2)} KMS`,
            `  net of the bench's hashing ${((plain.cpuSeconds - consumer.cpuSeconds) / net(plugins.plain, plugins.plainStart).cpuSeconds).toFixed(2)} plain, ${((encrypted.cpuSeconds - kmsConsumer.cpuSeconds) / net(plugins.kms, plugins.kmsStart).cpuSeconds).toFixed(2)} KMS`,
          ]),
      '',
    ].join('\n'),
  );
  kms.destroy();
  child.send({ type: 'stop' } satisfies Request);
}

if (process.argv.includes('--serve')) await serve();
else await main();
