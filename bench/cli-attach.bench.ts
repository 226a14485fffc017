/**
 * CLI start-up: the whole `ecs-diag attach` process for a 1 KiB capture from the agent emulator, for the built
 * CLI (dist/cli/ecs-diag.mjs, built here by build/build.mjs) and for the TypeScript source. Prints the median
 * and p90 of the child's own CPU seconds (user + system, read at exit) and of its wall time over RUNS processes.
 * Reproduce: `npm run bench -- cli-attach` (RUNS=20 by default).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgentEmulator } from '#local/agent-emulator/index.ts';
import { buildCli } from '../build/build.mjs';

const runs = Number(process.env.RUNS ?? 20);
const root = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
const cpuFile = join(dir, 'cpu');
// Written at exit by the child itself, so the figure is that process's CPU alone.
const reportCpu = `data:text/javascript,import{writeFileSync}from"node:fs";process.on("exit",()=>{const u=process.cpuUsage();writeFileSync(${JSON.stringify(cpuFile)},String((u.user+u.system)/1e6))});`;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const emulator = await startAgentEmulator();
try {
  const { file: built } = await buildCli(join(dir, 'cli'));
  const variants = [
    { name: 'built CLI (dist/cli/ecs-diag.mjs)', script: built },
    { name: 'TypeScript source (bin/ecs-diag.ts)', script: join(root, 'bin', 'ecs-diag.ts') },
  ];
  process.stdout.write(`ecs-diag attach, 1 KiB capture, ${runs} processes each (Node ${process.version})\n`);
  process.stdout.write(
    'variant                                  CPU s (median / p90)   wall ms (median / p90)\n',
  );
  for (const { name, script } of variants) {
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const session = emulator.createSession({ generatedOutputBytes: 1024 });
      const started = performance.now();
      const stdout = await new Promise<Buffer>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', reportCpu, script, 'attach', '--session', JSON.stringify(session)],
          {
            encoding: 'buffer',
            env: {
              ...process.env,
              AWS_REGION: 'eu-west-1',
              AWS_ACCESS_KEY_ID: 'bench',
              AWS_SECRET_ACCESS_KEY: 'bench',
              AWS_ENDPOINT_URL_SSM: emulator.httpEndpoint,
              AWS_ENDPOINT_URL_KMS: emulator.httpEndpoint,
            },
          },
          (error, out, stderr) =>
            error === null ? resolve(out) : reject(new Error(`${error.message}\n${stderr}`)),
        );
      });
      wall.push(performance.now() - started);
      const report = await emulator.waitForSession(session.sessionId);
      if (stdout.length !== 1024 || report.violations.length > 0) {
        throw new Error(
          `${name}: got ${stdout.length} bytes, violations ${JSON.stringify(report.violations)}`,
        );
      }
      cpu.push(Number(readFileSync(cpuFile, 'utf8')));
    }
    const cpuText = `${quantile(cpu, 0.5).toFixed(3)} / ${quantile(cpu, 0.9).toFixed(3)}`;
    const wallText = `${quantile(wall, 0.5).toFixed(0)} / ${quantile(wall, 0.9).toFixed(0)}`;
    process.stdout.write(`${name.padEnd(40)} ${cpuText.padStart(20)}   ${wallText.padStart(22)}\n`);
  }
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
