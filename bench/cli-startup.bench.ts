/**
 * Start-up of the built ecs-diag CLI (dist/cli/ecs-diag.mjs) as a whole process: wall time and CPU
 * (user + system of the reaped child, from /proc/self/stat's cutime/cstime) for `--version` and
 * `scripts --json`, on this Node and on the system Node when there is one (the CLI runs on Node 20+).
 * Run: npm run bench -- cli-startup
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../build/build.mjs';

const RUNS = 15;
const TICKS_PER_SECOND = 100;

function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const dir = mkdtempSync(join(tmpdir(), 'cli-bench-'));
const { file } = (await buildCli(dir)) as { file: string; bytes: number };
const nodes = [process.execPath, '/usr/bin/node'].filter(
  (path, index, all) => existsSync(path) && all.indexOf(path) === index,
);
process.stdout.write(
  `bundle ${file}\n| node | command | wall median (ms) | CPU per run (s) |\n|---|---|---|---|\n`,
);
for (const node of nodes) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  for (const args of [['--version'], ['scripts', '--json']]) {
    const walls: number[] = [];
    const cpuBefore = childCpuSeconds();
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      const result = spawnSync(node, [file, ...args], { encoding: 'utf8' });
      walls.push(performance.now() - started);
      if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    }
    const cpu = (childCpuSeconds() - cpuBefore) / RUNS;
    process.stdout.write(
      `| ${version} | ${args.join(' ')} | ${median(walls).toFixed(0)} | ${cpu.toFixed(3)} |\n`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });
