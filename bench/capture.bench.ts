/**
 * Capture benchmark: throughput of openSessionCapture for a large output through the agent emulator, against a
 * raw websocket baseline moving the same bytes in 1 KiB binary frames with no protocol. The servers run in a child
 * process so the numbers (CPU seconds, peak RSS) are the client's alone.
 *
 *   npm run bench -- capture              (CAPTURE_BENCH_MB=100 by default)
 *   SSM_PLUGIN=/path/to/session-manager-plugin npm run bench -- capture
 *                                         (adds the official plugin against the same emulator, see
 *                                          session-manager-plugin.ts)
 *
 * Besides the in-process rows, the built `ecs-diag attach` runs as a whole process writing to stdout, measured
 * exactly as the plugin is (GNU time, its 1 KiB start-up subtracted, its stdout hashed by the bench): the like-for-
 * like comparison, since the in-process rows also pay for the bench's own hashing of the output.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { KMSClient } from '@aws-sdk/client-kms';
import WebSocket, { WebSocketServer } from 'ws';
import { openSessionCapture, type SessionCredentials } from '#lib/ssm-session/index.ts';
import { generatedOutput } from '#local/agent-emulator/generated-output.ts';
import { startAgentEmulator } from '#local/agent-emulator/index.ts';
import { buildCli } from '../build/build.mjs';
import { forkServerChild } from './server-child.ts';
import { runPlugin, startKmsProxy } from './session-manager-plugin.ts';
import { hasGnuTime, type ProcessRun, runTimedProcess } from './whole-process.ts';

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
  /** The official plugin on one session of `size` bytes, checked byte-exact (its violations are collected). */
  async function plugin(size: number, encrypted: boolean): Promise<ProcessRun> {
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
  const cliDir = mkdtempSync(join(tmpdir(), 'capture-bench-cli-'));
  process.on('exit', () => rmSync(cliDir, { recursive: true, force: true }));
  const cli = hasGnuTime() ? (await buildCli(cliDir)).file : undefined;
  /** The built `ecs-diag attach` on one session of `size` bytes, to stdout: byte-exact, zero violations. */
  async function attachProcess(size: number, encrypted: boolean): Promise<ProcessRun> {
    const session = await newSession(size, encrypted);
    const run = await runTimedProcess({
      command: process.execPath,
      args: [cli as string, 'attach', '--session', JSON.stringify(session), '--target', TARGET],
      env: {
        PATH: process.env.PATH,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_ENDPOINT_URL_SSM: ready.httpEndpoint as string,
        AWS_ENDPOINT_URL_KMS: ready.httpEndpoint as string,
      },
    });
    await checkReport(session.sessionId, run, size);
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
  async function withProcessServerCpu(run: () => Promise<ProcessRun>): Promise<ProcessRun & Measured> {
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
  // Whole processes (attach, and the plugin where given), each plain and KMS, with its start-up (a 1 KiB
  // session) measured too and subtracted: CPU-s/MB net of start-up. Interleaved step by step (attach's run,
  // then the plugin's), so that a minute of extra load on the shared cores falls on both rather than one.
  type RunOne = (size: number, kms: boolean) => Promise<ProcessRun>;
  interface WholeProcessRuns {
    name: string;
    plainStart: ProcessRun;
    plain: ProcessRun & Measured;
    kmsStart: ProcessRun;
    kms: ProcessRun & Measured;
  }
  async function wholeProcesses(
    programs: Array<{ name: string; runOne: RunOne }>,
  ): Promise<WholeProcessRuns[]> {
    const each = async <T>(step: (runOne: RunOne) => Promise<T>): Promise<T[]> => {
      const results: T[] = [];
      for (const program of programs) results.push(await step(program.runOne));
      return results;
    };
    const plainStart = await each((runOne) => runOne(1024, false));
    const plainRuns = await each((runOne) => withProcessServerCpu(() => runOne(bytes, false)));
    const kmsStart = await each((runOne) => runOne(1024, true));
    const kmsRuns = await each((runOne) => withProcessServerCpu(() => runOne(bytes, true)));
    return programs.map(({ name }, i) => ({
      name,
      plainStart: plainStart[i] as ProcessRun,
      plain: plainRuns[i] as ProcessRun & Measured,
      kmsStart: kmsStart[i] as ProcessRun,
      kms: kmsRuns[i] as ProcessRun & Measured,
    }));
  }
  const programs = [
    ...(cli === undefined ? [] : [{ name: 'ecs-diag attach', runOne: attachProcess }]),
    ...(PLUGIN === undefined ? [] : [{ name: 'session-manager-plugin', runOne: plugin }]),
  ];
  const processRuns = await wholeProcesses(programs);
  const attachRuns = processRuns.find((runs) => runs.name === 'ecs-diag attach');
  const plugins = processRuns.find((runs) => runs.name === 'session-manager-plugin');
  if (rawRun.sha256 !== plain.sha256)
    throw new Error('the raw baseline moved different bytes than the capture');

  const rate = (run: Measured) => megabytes / run.seconds;
  const net = (run: ProcessRun & Measured, start: ProcessRun): Measured => ({
    ...run,
    cpuSeconds: run.cpuSeconds - start.cpuSeconds,
  });
  /** The rows of one whole-process program: plain and KMS net of start-up, the start-up, the peak RSS. */
  const processLines = (runs: WholeProcessRuns): string[] => [
    line(runs.name, net(runs.plain, runs.plainStart)),
    line(`${runs.name} + KMS`, net(runs.kms, runs.kmsStart)),
    `  start-up (1 KiB)           ${runs.plainStart.cpuSeconds.toFixed(3)} / KMS ${runs.kmsStart.cpuSeconds.toFixed(3)} CPU-s (subtracted above)`,
    `  peak RSS                   ${(runs.plain.peakRssBytes / MB).toFixed(1)} MB / KMS ${(runs.kms.peakRssBytes / MB).toFixed(1)} MB`,
  ];
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
      ...(attachRuns === undefined
        ? ['(install GNU time, apt-get install time, to add the built ecs-diag attach as a whole process)']
        : processLines(attachRuns)),
      ...(plugins === undefined
        ? ['(set SSM_PLUGIN=/path/to/session-manager-plugin to add the official plugin)']
        : [
            ...processLines(plugins),
            `plugin protocol violations   ${pluginViolations.size === 0 ? 'none' : [...pluginViolations].join('; ')}`,
            `ours / plugin CPU per MB     ${(plain.cpuSeconds / net(plugins.plain, plugins.plainStart).cpuSeconds).toFixed(2)} plain, ${(encrypted.cpuSeconds / net(plugins.kms, plugins.kmsStart).cpuSeconds).toFixed(2)} KMS (in-process rows)`,
            `  net of the bench's hashing ${((plain.cpuSeconds - consumer.cpuSeconds) / net(plugins.plain, plugins.plainStart).cpuSeconds).toFixed(2)} plain, ${((encrypted.cpuSeconds - kmsConsumer.cpuSeconds) / net(plugins.kms, plugins.kmsStart).cpuSeconds).toFixed(2)} KMS`,
            ...(attachRuns === undefined
              ? []
              : [
                  `  whole processes           ${(net(attachRuns.plain, attachRuns.plainStart).cpuSeconds / net(plugins.plain, plugins.plainStart).cpuSeconds).toFixed(2)} plain, ${(net(attachRuns.kms, attachRuns.kmsStart).cpuSeconds / net(plugins.kms, plugins.kmsStart).cpuSeconds).toFixed(2)} KMS (ecs-diag attach / plugin, both to stdout, both net of start-up)`,
                ]),
          ]),
      '',
    ].join('\n'),
  );
  kms.destroy();
  child.send({ type: 'stop' } satisfies Request);
}

if (process.argv.includes('--serve')) await serve();
else await main();
