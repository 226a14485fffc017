/// <reference lib="dom" />
/**
 * The run report at 2, 200 and 1000 targets: writeRunReport (ranged GetObject of every output, render,
 * two PutObjects) against the in-process local S3, the page's size, and how long headless Chromium takes to
 * load and lay it out at 1280 px (when it is installed). Every output stored is 256 KiB, so every excerpt is cut.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { excerptSize } from '#lib/report/excerpts.ts';
import { writeRunReport } from '#lib/report/write.ts';
import { findChromium, launchChromium } from '#local/chromium.ts';
import { type FixtureKind, fixtureManifest } from '#local/report-fixtures.ts';
import { startLocalS3 } from '#local/s3.ts';

const RUNS: Array<[FixtureKind, number]> = [
  ['all-succeeded', 2],
  ['targets-200', 200],
  ['targets-1000', 1000],
];
const OUTPUT = Buffer.from(
  `${'12:00:01 worker-3 GET /checkout 200 12ms trace=4bf92f3577b34da6\n'.repeat(4096)}`,
).subarray(0, 256 * 1024);

// Local endpoints only: any credentials sign.
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDLOCALBENCH';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local-bench-secret';

const server = await startLocalS3();
await server.createBucket('bench', 'us-east-1');
const s3 = server.client('us-east-1');
const chromium = findChromium() ? await launchChromium() : undefined;

console.log(
  '| targets | outputs | excerpt each | writeRunReport (median of 3) | report.html | summary.md | Chromium load + layout |',
);
console.log(
  '| ------- | ------- | ------------ | ---------------------------- | ----------- | ---------- | ---------------------- |',
);
for (const [kind, targets] of RUNS) {
  const manifest = fixtureManifest(kind);
  const stored = manifest.targets.filter((entry) => entry.s3Key);
  const run = {
    ...manifest,
    targets: manifest.targets.map((entry) => (entry.s3Key ? { ...entry, bytes: OUTPUT.length } : entry)),
  };
  for (let i = 0; i < stored.length; i += 32) {
    await Promise.all(
      stored
        .slice(i, i + 32)
        .map((entry) => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: entry.s3Key, Body: OUTPUT }))),
    );
  }
  const times: number[] = [];
  let written = await writeRunReport(s3, 'bench', run, { region: 'us-east-1' });
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    written = await writeRunReport(s3, 'bench', run, { region: 'us-east-1' });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  let load = 'not measured (no chromium)';
  if (chromium) {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: run.files.report }));
    const path = join(tmpdir(), `report-bench-${targets}.html`);
    writeFileSync(path, (await got.Body?.transformToString()) ?? '');
    const page = await chromium.browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const started = performance.now();
    await page.goto(`file://${path}`, { waitUntil: 'load' });
    await page.evaluate(() => document.body.getBoundingClientRect().height);
    load = `${Math.round(performance.now() - started)} ms`;
    await page.close();
  }
  console.log(
    `| ${targets} | ${stored.length} | ${(excerptSize(stored.length) / 1024).toFixed(1)} KiB | ${Math.round(times[1] ?? 0)} ms | ${(written.reportBytes / 1024).toFixed(0)} KiB | ${(written.summaryBytes / 1024).toFixed(1)} KiB | ${load} |`,
  );
}
console.log(`\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
await chromium?.close();
await server.close();
