/**
 * Cold start of each function bundle: a fresh Node 24 process imports dist/<fn>/index.mjs and runs its
 * module initialisation (config checks, SDK clients). Prints the bundle size and, over RUNS processes,
 * the median and p90 of the import time and of the whole process lifetime.
 * Reproduce: `npm run bench -- cold-start` (RUNS=50 by default).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions, functionNames } from '../build/build.mjs';

const runs = Number(process.env.RUNS ?? 50);
const outRoot = mkdtempSync(join(tmpdir(), 'cold-start-'));
const env = {
  ...process.env,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  OUTPUT_BUCKET: 'bench-bucket',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bench',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};
const probe =
  'const t0 = performance.now(); await import(process.argv[1]); ' +
  'process.stdout.write(String(performance.now() - t0));';

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

try {
  const names = functionNames() as string[];
  await buildFunctions(names, outRoot);
  process.stdout.write(
    `cold start, ${runs} fresh processes each (Node ${process.version}, ${process.arch})\n`,
  );
  process.stdout.write(
    'function            bundle KiB   import ms (median / p90)   process ms (median / p90)\n',
  );
  for (const name of names) {
    const bundle = join(outRoot, name, 'index.mjs');
    const imports: number[] = [];
    const lifetimes: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', probe, bundle], {
        env,
        encoding: 'utf8',
      });
      lifetimes.push(performance.now() - started);
      if (child.status !== 0) throw new Error(`${name}: the bundle failed to load:\n${child.stderr}`);
      imports.push(Number(child.stdout));
    }
    const kib = (statSync(bundle).size / 1024).toFixed(1);
    const importMs = `${quantile(imports, 0.5).toFixed(1)} / ${quantile(imports, 0.9).toFixed(1)}`;
    const processMs = `${quantile(lifetimes, 0.5).toFixed(1)} / ${quantile(lifetimes, 0.9).toFixed(1)}`;
    process.stdout.write(
      `${name.padEnd(20)}${kib.padStart(10)}   ${importMs.padStart(24)}   ${processMs.padStart(25)}\n`,
    );
  }
} finally {
  rmSync(outRoot, { recursive: true, force: true });
}
