/**
 * Cold start of each function bundle against a naive bundle of the same clients, in one run.
 *
 * Ours: dist/<fn>/index.mjs as build/build.mjs builds it. Naive: a handler that imports and constructs the
 * same AWS SDK clients (and lib-storage, Powertools metrics where the function has them), the Powertools
 * logger, middy and ws, bundled by esbuild with its defaults for Node (`platform: node`, `format: esm`,
 * minified, the SDK bundled). Each sample is a fresh Node process that imports one bundle (its module
 * initialisation: configuration checks, SDK clients, schemas) and reports the import's wall time and CPU
 * time (user + system, process.cpuUsage) and the CPU time of the whole process. Ours and naive alternate,
 * so load on the machine falls on both alike. Prints min and median of each, and the ratio of medians.
 * Reproduce: `npm run bench -- cold-start` (RUNS=30 by default).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { bundleOptions, functionNames, loadedBytes } from '../build/build.mjs';

const runs = Number(process.env.RUNS ?? 30);
const TARGET_RATIO = 0.7;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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

/** What each function's naive counterpart imports besides the logger, middy and ws: [package, export]. */
const NAIVE_IMPORTS: Record<string, [string, string][]> = {
  'check-readiness': [
    ['@aws-sdk/client-ecs', 'ECSClient'],
    ['@aws-sdk/client-iam', 'IAMClient'],
    ['@aws-sdk/client-ec2', 'EC2Client'],
    ['@aws-sdk/client-s3', 'S3Client'],
  ],
  'resolve-targets': [
    ['@aws-sdk/client-ecs', 'ECSClient'],
    ['@aws-sdk/client-cloudwatch', 'CloudWatchClient'],
    ['@aws-sdk/client-s3', 'S3Client'],
  ],
  'run-diagnostic': [
    ['@aws-sdk/client-ecs', 'ECSClient'],
    ['@aws-sdk/client-s3', 'S3Client'],
    ['@aws-sdk/client-ssm', 'SSMClient'],
    ['@aws-sdk/client-kms', 'KMSClient'],
    ['@aws-sdk/lib-storage', 'Upload'],
  ],
  'start-run': [['@aws-sdk/client-sfn', 'SFNClient']],
  'write-report': [
    ['@aws-sdk/client-s3', 'S3Client'],
    ['@aws-sdk/client-eventbridge', 'EventBridgeClient'],
    ['@aws-sdk/client-sns', 'SNSClient'],
    ['@aws-lambda-powertools/metrics', 'Metrics'],
  ],
};

/** The naive handler's source: every import used at module scope, so none is dropped. */
function naiveSource(imports: [string, string][]): string {
  const lines = [
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
    "import middy from '@middy/core';",
    "import WebSocket from 'ws';",
    ...imports.map(([pkg, name]) => `import { ${name} } from '${pkg}';`),
    'const logger = new Logger();',
    'const made = [',
    ...imports.map(([, name]) =>
      name.endsWith('Client') ? `  new ${name}({}),` : name === 'Metrics' ? '  new Metrics(),' : `  ${name},`,
    ),
    '];',
    'export const handler = middy(async () => ({ made: made.length, ws: typeof WebSocket }))',
    '  .use(injectLambdaContext(logger));',
  ];
  return lines.join('\n');
}

/**
 * The SDK and Powertools packages a bundle contains (to check the naive table against the real bundle): those
 * with bytes in an output, since a module that is imported but tree-shaken away (start-run reaches
 * client-cloudwatch's ListTagsForResourceCommand through alarm-tags.ts and keeps none of it) is still an input.
 */
function packagesIn(outputs: Metafile['outputs']): Set<string> {
  const found = new Set<string>();
  for (const output of Object.values(outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match =
        /node_modules\/(@aws-sdk\/(?:client-[a-z0-9-]+|lib-storage)|@aws-lambda-powertools\/metrics)\//.exec(
          file,
        );
      if (match?.[1] !== undefined && bytesInOutput > 0) found.add(match[1]);
    }
  }
  return found;
}

interface Pair {
  ours: string;
  naive: string;
  /** KiB a cold start loads: the entry and the chunks it imports statically. */
  oursKib: number;
  naiveKib: number;
}

/** KiB of an esbuild result's entry and its static chunks. */
function loadedKib(result: { metafile?: Metafile }, entry: string): number {
  const outputs = result.metafile?.outputs ?? {};
  const file = Object.keys(outputs).find((path) => join(root, path) === entry || path === entry) ?? '';
  return loadedBytes(outputs, file) / 1024;
}

async function buildBoth(name: string): Promise<Pair> {
  const ours = await build(bundleOptions(name, join(outRoot, 'ours', name)));
  const expected = NAIVE_IMPORTS[name];
  if (expected === undefined) throw new Error(`${name}: add its clients to NAIVE_IMPORTS`);
  const used = [...packagesIn(ours.metafile?.outputs ?? {})];
  const listed = new Set(expected.map(([pkg]) => pkg));
  if (used.length !== listed.size || used.some((pkg) => !listed.has(pkg))) {
    throw new Error(
      `${name}: NAIVE_IMPORTS lists ${[...listed].join(', ')} but the bundle has ${used.join(', ')}`,
    );
  }
  const naiveFile = join(outRoot, 'naive', name, 'index.mjs');
  const naive = await build({
    stdin: {
      contents: naiveSource(expected),
      resolveDir: root,
      loader: 'js',
      sourcefile: `naive-${name}.js`,
    },
    outfile: naiveFile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    metafile: true,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  const oursFile = join(outRoot, 'ours', name, 'index.mjs');
  return {
    ours: oursFile,
    naive: naiveFile,
    oursKib: loadedKib(ours, oursFile),
    naiveKib: loadedKib(naive, naiveFile),
  };
}

const probe = [
  'const cpu0 = process.cpuUsage(); const t0 = performance.now();',
  'await import(process.argv[1]);',
  'const t1 = performance.now(); const cpu = process.cpuUsage(cpu0); const all = process.cpuUsage();',
  'process.stdout.write(JSON.stringify({ importMs: t1 - t0, importCpuMs: (cpu.user + cpu.system) / 1000,',
  '  processCpuMs: (all.user + all.system) / 1000 }));',
].join('\n');

interface Sample {
  importMs: number;
  importCpuMs: number;
  processCpuMs: number;
}

function sample(bundle: string): Sample {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', probe, bundle], {
    env,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`${bundle}: the bundle failed to load:\n${child.stderr}`);
  return JSON.parse(child.stdout) as Sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const stat = (values: number[]) => `${Math.min(...values).toFixed(0)} / ${median(values).toFixed(0)}`;

try {
  const names = functionNames() as string[];
  const bundles = new Map<string, Pair>();
  for (const name of names) bundles.set(name, await buildBoth(name));
  const samples = new Map<string, { ours: Sample[]; naive: Sample[] }>(
    names.map((name) => [name, { ours: [], naive: [] }]),
  );
  for (let run = 0; run < runs; run += 1) {
    for (const name of names) {
      const pair = bundles.get(name);
      const into = samples.get(name);
      if (pair === undefined || into === undefined) continue;
      // Alternate which goes first, so neither always follows the other's page-cache warm-up.
      const order = run % 2 === 0 ? (['ours', 'naive'] as const) : (['naive', 'ours'] as const);
      for (const which of order) into[which].push(sample(pair[which]));
    }
  }
  process.stdout.write(
    `cold start, ${runs} fresh processes per bundle, ours and naive alternating (Node ${process.version}, ${process.arch})\n\n`,
  );
  process.stdout.write(
    '| function | KiB loaded, ours / naive | import ms min / median, ours | naive | import CPU ms min / median, ours | naive | process CPU ms median, ours / naive | ratio (import CPU, medians) |\n',
  );
  process.stdout.write('|---|---|---|---|---|---|---|---|\n');
  let over = 0;
  for (const name of names) {
    const pair = bundles.get(name);
    const got = samples.get(name);
    if (pair === undefined || got === undefined) continue;
    const cpu = (list: Sample[]) => list.map((s) => s.importCpuMs);
    const ratio = median(cpu(got.ours)) / median(cpu(got.naive));
    if (ratio > TARGET_RATIO) over += 1;
    process.stdout.write(
      `| ${name} | ${pair.oursKib.toFixed(0)} / ${pair.naiveKib.toFixed(0)} | ${stat(got.ours.map((s) => s.importMs))} | ${stat(got.naive.map((s) => s.importMs))} | ${stat(cpu(got.ours))} | ${stat(cpu(got.naive))} | ${median(got.ours.map((s) => s.processCpuMs)).toFixed(0)} / ${median(got.naive.map((s) => s.processCpuMs)).toFixed(0)} | ${ratio.toFixed(2)}${ratio > TARGET_RATIO ? ` (over ${TARGET_RATIO})` : ''} |\n`,
    );
  }
  process.stdout.write(
    over === 0
      ? `\nevery bundle at most ${TARGET_RATIO}× its naive counterpart (import CPU, medians)\n`
      : `\n${over} bundle(s) above ${TARGET_RATIO}× their naive counterpart\n`,
  );
} finally {
  rmSync(outRoot, { recursive: true, force: true });
}
