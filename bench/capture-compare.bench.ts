/**
 * Two builds of `ecs-diag attach` on the same emulator, runs interleaved: the working tree against a git revision
 * (default HEAD), each a whole process writing a plain capture to stdout, byte-exact with zero violations. Per run:
 * the process's user and system CPU, each thread's CPU at exit (/proc/self/task, Linux only: the main thread and
 * V8's workers), and the wall time; printed as medians. For checking a change to the client before and after.
 *
 *   npm run bench -- capture-compare      (COMPARE_BASE=HEAD, COMPARE_RUNS=6, COMPARE_MB=50)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SessionCredentials } from '#lib/ssm-session/index.ts';
import { forkServerChild } from './server-child.ts';
import { hasGnuTime, runTimedProcess } from './whole-process.ts';

const MB = 1024 * 1024;
const base = process.env.COMPARE_BASE ?? 'HEAD';
const runs = Number(process.env.COMPARE_RUNS ?? '6');
const bytes = Math.round(Number(process.env.COMPARE_MB ?? '50') * MB);
const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'capture-compare-'));
const usageFile = join(dir, 'usage.json');
// Preloaded into each attach process: at exit, its CPU and (on Linux) every thread's, grouped by thread name.
const preload = join(dir, 'usage.mjs');
writeFileSync(
  preload,
  `import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
process.on('exit', () => {
  const threads = {};
  if (existsSync('/proc/self/task')) {
    for (const id of readdirSync('/proc/self/task')) {
      const stat = readFileSync('/proc/self/task/' + id + '/stat', 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\\d+$/, '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads[name] = (threads[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100;
    }
  }
  const usage = process.resourceUsage();
  writeFileSync(${JSON.stringify(usageFile)}, JSON.stringify({ user: usage.userCPUTime / 1e6, system: usage.systemCPUTime / 1e6, threads }));
});
`,
);

interface Usage {
  user: number;
  system: number;
  threads: Record<string, number>;
  wall: number;
}

/** A detached worktree of `revision` sharing this checkout's node_modules; undefined outside a git checkout. */
function worktreeOf(revision: string): string | undefined {
  if (!existsSync(join(root, '.git'))) return undefined;
  const tree = join(dir, 'base');
  execFileSync('git', ['-C', root, 'worktree', 'add', '--detach', '--quiet', tree, revision]);
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  return tree;
}

async function buildFrom(tree: string, name: string): Promise<string> {
  const { buildCli } = await import(pathToFileURL(join(tree, 'build', 'build.mjs')).href);
  return (await buildCli(join(dir, name))).file as string;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

if (!hasGnuTime()) {
  process.stdout.write('skipped: needs GNU time (/usr/bin/time): apt-get install time\n');
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const baseTree = worktreeOf(base);
if (baseTree === undefined) {
  process.stdout.write('skipped: not a git checkout (capture-compare builds COMPARE_BASE from git)\n');
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const { child, next } = forkServerChild(new URL('./capture.bench.ts', import.meta.url).pathname);
const cleanUp = () => {
  child.kill();
  execFileSync('git', ['-C', root, 'worktree', 'remove', '--force', baseTree]);
  rmSync(dir, { recursive: true, force: true });
};
try {
  const ready = await next();
  const builds = [
    {
      name: `${base} (${execFileSync('git', ['-C', baseTree, 'rev-parse', '--short', 'HEAD']).toString().trim()})`,
      cli: await buildFrom(baseTree, 'base-cli'),
    },
    { name: 'working tree', cli: await buildFrom(root, 'tree-cli') },
  ];
  const attach = async (cli: string, size: number): Promise<Usage> => {
    child.send({ type: 'session', bytes: size, kms: false });
    const { session } = (await next()) as { session: SessionCredentials };
    rmSync(usageFile, { force: true });
    const run = await runTimedProcess({
      command: process.execPath,
      args: ['--import', preload, cli, 'attach', '--session', JSON.stringify(session)],
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_ENDPOINT_URL_SSM: ready.httpEndpoint as string,
      },
    });
    child.send({ type: 'report', sessionId: session.sessionId });
    const { report } = (await next()) as { report: { outputSha256: string; violations: string[] } };
    if (report.outputSha256 !== run.sha256 || run.bytes !== size || report.violations.length > 0) {
      throw new Error(
        `not byte-exact or with violations: ${run.bytes} of ${size} bytes, ${report.violations}`,
      );
    }
    return { ...(JSON.parse(readFileSync(usageFile, 'utf8')) as Omit<Usage, 'wall'>), wall: run.seconds };
  };
  for (const build of builds) await attach(build.cli, MB);
  const results: Usage[][] = builds.map(() => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, build] of builds.entries()) results[index]?.push(await attach(build.cli, bytes));
  }
  process.stdout.write(
    `ecs-diag attach to stdout, ${bytes / MB} MB plain, ${runs} interleaved runs each; CPU s of the whole process (start-up included), medians\n\n` +
      '| build | total | user | system | main thread | V8 workers | wall s |\n|---|---|---|---|---|---|---|\n',
  );
  for (const [index, build] of builds.entries()) {
    const usages = results[index] ?? [];
    const column = (pick: (usage: Usage) => number) => median(usages.map(pick)).toFixed(3);
    process.stdout.write(
      `| ${build.name} | ${column((u) => u.user + u.system)} | ${column((u) => u.user)} | ${column((u) => u.system)} | ${column((u) => u.threads.MainThread ?? Number.NaN)} | ${column((u) => u.threads.V8Worker ?? 0)} | ${column((u) => u.wall)} |\n`,
    );
  }
  child.send({ type: 'stop' });
} finally {
  cleanUp();
}
