/**
 * Capture-to-S3 benchmark: the whole run-diagnostic pipeline (data channel → exit marker → redactor → cap →
 * lib-storage multipart upload) on generated outputs of growing size. The agent emulator and the local S3
 * (which keeps objects in memory) run in a child process, so the peak RSS and heap are the pipeline's alone:
 * they should not grow with the output size.
 *
 *   npm run bench -- capture-to-s3        (CAPTURE_TO_S3_MB="16 64" by default)
 */
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { captureToS3 } from '#lib/capture/index.ts';
import { openSessionCapture, type SessionCredentials } from '#lib/ssm-session/index.ts';
import { startAgentEmulator } from '#local/agent-emulator/index.ts';
import { startLocalS3 } from '#local/s3.ts';
import { forkServerChild } from './server-child.ts';

const MB = 1024 * 1024;
const REGION = 'us-east-1';
const BUCKET = 'bench';
// Local endpoints only: any credentials sign.
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDLOCALBENCH';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local-bench-secret';

type Request = { type: 'session'; bytes: number } | { type: 'stop' };

async function serve(): Promise<void> {
  const agent = await startAgentEmulator({ region: REGION });
  const s3 = await startLocalS3({ region: REGION });
  await s3.createBucket(BUCKET, REGION);
  process.send?.({ type: 'ready', s3: s3.endpoint, agent: agent.httpEndpoint });
  process.on('message', (message: Request) => {
    if (message.type === 'session') {
      process.send?.({
        type: 'session',
        session: agent.createSession({ generatedOutputBytes: message.bytes }),
      });
    } else {
      void Promise.all([agent.close(), s3.close()]).then(() => process.exit(0));
    }
  });
}

async function main(): Promise<void> {
  const sizes = (process.env.CAPTURE_TO_S3_MB ?? '16 64').split(/\s+/).filter(Boolean).map(Number);
  const { child, next } = forkServerChild(import.meta.filename);
  const ready = await next();
  const s3 = new S3Client({ region: REGION, endpoint: ready.s3 as string, forcePathStyle: true });
  const ssm = new SSMClient({ region: REGION, endpoint: ready.agent as string });

  async function run(megabytes: number, label: string): Promise<void> {
    const bytes = Math.round(megabytes * MB);
    child.send({ type: 'session', bytes } satisfies Request);
    const { session } = (await next()) as { session: SessionCredentials };
    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peakRss = 0;
    let peakHeap = 0;
    let peakLive = 0;
    let peakLiveBuffers = 0;
    let ticks = 0;
    const sampler = setInterval(() => {
      ticks += 1;
      if (ticks % 25 === 0) {
        globalThis.gc?.();
        const live = process.memoryUsage();
        peakLive = Math.max(peakLive, live.heapUsed);
        peakLiveBuffers = Math.max(peakLiveBuffers, live.arrayBuffers);
      }
      const usage = process.memoryUsage();
      peakRss = Math.max(peakRss, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
    }, 20);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const capture = openSessionCapture({ session, ssm });
    const key = `runs/bench/${session.sessionId}.log`;
    const stored = await captureToS3({
      s3,
      bucket: BUCKET,
      key,
      output: capture.output,
      done: capture.done,
      nonce: '0123456789abcdef0123456789abcdef',
      outputCapBytes: 1024 * MB,
      stopSession: () => undefined,
      metadata: {},
    });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    clearInterval(sampler);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    // Generated output imitates a pty (\r\n line ends) without the exec wrapper's prelude: the pipeline
    // turns each \r\n back into \n, so the object is a little smaller than what the agent sent.
    if (head.ContentLength !== stored.bytes || stored.bytes > bytes || stored.newlines !== 'crlf-undone')
      throw new Error(`stored ${head.ContentLength} (${stored.bytes} counted) of ${bytes} bytes`);
    if (label === '') return;
    process.stdout.write(
      `${label.padEnd(10)} ${(bytes / MB / seconds).toFixed(1).padStart(6)} MB/s  cpu ${((used.user + used.system) / 1e6).toFixed(2)} s  ` +
        `peak rss ${(peakRss / MB).toFixed(0)} MiB  heap +${((peakHeap - heapBefore) / MB).toFixed(1)} MiB  ` +
        `after gc: heap +${((peakLive - heapBefore) / MB).toFixed(1)} MiB, buffers ${(peakLiveBuffers / MB).toFixed(1)} MiB  ` +
        `multipart ${stored.multipart}\n`,
    );
  }

  await run(4, '');
  for (const size of sizes) await run(size, `${size} MiB`);
  child.send({ type: 'stop' } satisfies Request);
  s3.destroy();
  ssm.destroy();
}

if (process.argv.includes('--serve')) await serve();
else await main();
