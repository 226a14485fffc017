/**
 * Redaction benchmark: throughput and memory of the capture transforms (exit-marker parser → redactor → cap)
 * on generated output fed in 1 KiB chunks (the agent's payload size) and in 64 KiB chunks, and on
 * secret-dense output. Reports MB/s of wall time, CPU seconds and peak RSS / heap growth.
 *
 * Also reports recall on the secret corpus and false positives on the ordinary-output corpus
 * (tests/fixtures/redaction/), and throughput on that ordinary output repeated.
 *
 *   npm run bench -- redaction            (REDACTION_BENCH_MB=32 by default)
 */
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitMarkerParser } from '#lib/capture/exit-marker.ts';
import { OutputCap } from '#lib/capture/output-cap.ts';
import { Redactor, redactBuffer } from '#lib/capture/redact.ts';
import { generatedOutput } from '#local/agent-emulator/generated-output.ts';

const MB = 1024 * 1024;
const TOTAL = Number(process.env.REDACTION_BENCH_MB ?? 32) * MB;

async function* rechunk(source: Readable, size: number): AsyncGenerator<Buffer> {
  let pending = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= size) {
      yield pending.subarray(0, size);
      pending = pending.subarray(size);
    }
  }
  if (pending.length > 0) yield pending;
}

const fixtures = new URL('../tests/fixtures/redaction/', import.meta.url);
const SECRETS = JSON.parse(readFileSync(new URL('secrets.json', fixtures), 'utf8')) as {
  kind: string;
  text: string;
  secret: string;
}[];
const BENIGN = Buffer.from(readFileSync(new URL('benign.txt', fixtures), 'utf8'));

function corpusQuality(): void {
  const found = SECRETS.filter(
    ({ text, secret }) => !redactBuffer(Buffer.from(text)).data.toString('latin1').includes(secret),
  ).length;
  const lines = BENIGN.toString('latin1').split('\n');
  const falsePositives = lines.filter((line) => redactBuffer(Buffer.from(line)).count > 0).length;
  const kinds = new Set(SECRETS.map((s) => s.kind)).size;
  process.stdout.write(
    `corpus: recall ${found}/${SECRETS.length} secrets of ${kinds} kinds (${((100 * found) / SECRETS.length).toFixed(1)}%), ` +
      `false positives ${falsePositives}/${lines.length} ordinary lines\n`,
  );
}

function repeated(block: Buffer, totalBytes: number): Readable {
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= totalBytes) {
        this.push(null);
        return;
      }
      produced += block.length;
      this.push(block);
    },
  });
}

function secretDense(totalBytes: number): Readable {
  const line = Buffer.from(
    'INFO user=alice AKIAIOSFODNN7EXAMPLE Authorization: Bearer abcdefghijklmnop0123 db_password=hunter2 ok\r\n',
  );
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= totalBytes) {
        this.push(null);
        return;
      }
      const block = Buffer.concat(Array.from({ length: 512 }, () => line));
      produced += block.length;
      this.push(block);
    },
  });
}

async function run(name: string, source: () => Readable, chunkSize: number, redact: boolean): Promise<void> {
  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = 0;
  let peakHeap = 0;
  let stored = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 20);
  const redactor = new Redactor();
  const marker = new ExitMarkerParser('0123456789abcdef0123456789abcdef');
  const cap = new OutputCap({
    capBytes: Number.MAX_SAFE_INTEGER,
    onCap: () => undefined,
    trailer: async () => '',
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      stored += chunk.length;
      callback();
    },
  });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const input = Readable.from(rechunk(source(), chunkSize));
  if (redact) await pipeline(input, marker, redactor, cap, sink);
  else await pipeline(input, marker, cap, sink);
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakHeap = Math.max(peakHeap, usage.heapUsed);
  process.stdout.write(
    `${name.padEnd(44)} ${(stored / MB).toFixed(0).padStart(4)} MiB  ${(stored / MB / seconds).toFixed(1).padStart(7)} MB/s  ` +
      `cpu ${((used.user + used.system) / 1e6).toFixed(2)} s  peak rss ${(peakRss / MB).toFixed(0)} MiB  ` +
      `heap +${((peakHeap - heapBefore) / MB).toFixed(1)} MiB  redactions ${redactor.redactions}\n`,
  );
}

corpusQuality();
await run('marker + cap only, 1 KiB chunks (baseline)', () => generatedOutput(TOTAL), 1024, false);
await run('marker + redactor + cap, 1 KiB chunks', () => generatedOutput(TOTAL), 1024, true);
await run('marker + redactor + cap, 64 KiB chunks', () => generatedOutput(TOTAL), 64 * 1024, true);
await run('secret-dense output, 1 KiB chunks', () => secretDense(TOTAL / 4), 1024, true);
await run('ordinary diagnostic output (corpus), 1 KiB chunks', () => repeated(BENIGN, TOTAL / 4), 1024, true);
