/**
 * Start-up of the built ecs-diag CLI as a whole process: `--version`, and `attach` for a 1 KiB capture from the
 * agent emulator (byte-exact, zero protocol violations, checked every run). Each row runs the CLI one way a user
 * would: `node dist/cli/ecs-diag.mjs` on this Node and on the system Node, the bin link (`ecs-diag` on PATH, a
 * symlink to the entry, whose shebang picks the first `node` on PATH), and `npx --no -- ecs-diag` from the
 * repository. CPU is user + system of the whole process tree (the reaped child's cutime + cstime in
 * /proc/self/stat, so npm and its shell count for npx; the emulator runs in this process and does not), in
 * 10 ms ticks per run; one unmeasured run first warms the page cache and Node's compile cache.
 * Run: npm run bench -- cli-startup (RUNS=10 by default; NODE_DISABLE_COMPILE_CACHE=1 to compare without it).
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { startAgentEmulator } from '#local/agent-emulator/index.ts';
import { buildCli } from '../build/build.mjs';

const RUNS = Number(process.env.RUNS ?? 10);
const TICKS_PER_SECOND = 100;
const CAPTURE_BYTES = 1024;
const root = join(import.meta.dirname, '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** CPU seconds of this process's reaped children so far. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** PATH without node_modules folders: what a user's shell has, so `node` there is the system Node. */
const systemPath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.includes('node_modules'))
  .join(delimiter);

function which(command: string, path: string): string | undefined {
  return path
    .split(delimiter)
    .map((dir) => join(dir, command))
    .find((file) => existsSync(file));
}

function nodeVersion(node: string): string {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: Buffer; cpu: number; wall: number }> {
  const cpuBefore = childCpuSeconds();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: root, encoding: 'buffer', env }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} ${args[0]}: ${error.message}\n${stderr}`));
      else resolve({ stdout, cpu: childCpuSeconds() - cpuBefore, wall: performance.now() - started });
    });
  });
}

const linkDir = mkdtempSync(join(tmpdir(), 'cli-startup-'));
const emulator = await startAgentEmulator();
try {
  // Built where `npm ci` builds it (the `prepare` script), so that npx runs this build too.
  const built = await buildCli();
  const entry = resolve(built.file);
  const bytes = built.bytes;
  symlinkSync(entry, join(linkDir, 'ecs-diag'));
  const awsEnv = {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_SSM: emulator.httpEndpoint,
    AWS_ENDPOINT_URL_KMS: emulator.httpEndpoint,
  };
  const userEnv = { ...process.env, ...awsEnv, PATH: `${linkDir}${delimiter}${systemPath}` };
  const systemNode = which('node', systemPath);
  const linkNode = systemNode === undefined ? 'none' : nodeVersion(systemNode);
  const npx = which('npx', systemPath);
  const ways: { name: string; command: string; prefix: string[]; env: NodeJS.ProcessEnv }[] = [
    {
      name: `node ${relative(root, entry)} (${process.version})`,
      command: process.execPath,
      prefix: [entry],
      env: { ...process.env, ...awsEnv },
    },
    ...(systemNode !== undefined && systemNode !== process.execPath
      ? [
          {
            name: `node ${relative(root, entry)} (${linkNode})`,
            command: systemNode,
            prefix: [entry],
            env: userEnv,
          },
        ]
      : []),
    {
      name: `bin link: ecs-diag on PATH (${linkNode})`,
      command: join(linkDir, 'ecs-diag'),
      prefix: [],
      env: userEnv,
    },
    ...(npx !== undefined
      ? [
          {
            name: 'npx --no -- ecs-diag (in the repository)',
            command: npx,
            prefix: ['--no', '--', 'ecs-diag'],
            env: userEnv,
          },
        ]
      : []),
  ];
  process.stdout.write(
    `built CLI: ${relative(root, entry)} + chunks, ${(bytes / 1024).toFixed(0)} KiB; ${RUNS} runs per row; ` +
      `compile cache ${process.env.NODE_DISABLE_COMPILE_CACHE ? 'disabled' : 'enabled where Node has it'}\n\n` +
      '| how it is run | command | CPU s, median / p90 (mean) | wall ms, median / p90 |\n|---|---|---|---|\n',
  );
  for (const way of ways) {
    for (const what of ['--version', 'attach'] as const) {
      const cpu: number[] = [];
      const wall: number[] = [];
      for (let index = 0; index <= RUNS; index += 1) {
        const session =
          what === 'attach' ? emulator.createSession({ generatedOutputBytes: CAPTURE_BYTES }) : undefined;
        const args = session === undefined ? ['--version'] : ['attach', '--session', JSON.stringify(session)];
        const result = await run(way.command, [...way.prefix, ...args], way.env);
        if (session === undefined) {
          if (result.stdout.toString().trim() !== version) {
            throw new Error(`${way.name} --version printed ${JSON.stringify(result.stdout.toString())}`);
          }
        } else {
          const report = await emulator.waitForSession(session.sessionId);
          const sha = createHash('sha256').update(result.stdout).digest('hex');
          if (
            result.stdout.length !== CAPTURE_BYTES ||
            sha !== report.outputSha256 ||
            report.violations.length > 0
          ) {
            throw new Error(
              `${way.name} attach: ${result.stdout.length} bytes, violations ${JSON.stringify(report.violations)}`,
            );
          }
        }
        if (index === 0) continue;
        cpu.push(result.cpu);
        wall.push(result.wall);
      }
      const mean = cpu.reduce((sum, value) => sum + value, 0) / cpu.length;
      process.stdout.write(
        `| ${way.name} | ${what === 'attach' ? `attach (${CAPTURE_BYTES / 1024} KiB)` : what} | ` +
          `${quantile(cpu, 0.5).toFixed(2)} / ${quantile(cpu, 0.9).toFixed(2)} (${mean.toFixed(3)}) | ` +
          `${quantile(wall, 0.5).toFixed(0)} / ${quantile(wall, 0.9).toFixed(0)} |\n`,
      );
    }
  }
} finally {
  await emulator.close();
  rmSync(linkDir, { recursive: true, force: true });
}
