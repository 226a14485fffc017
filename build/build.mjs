#!/usr/bin/env node
/**
 * The one esbuild configuration: a minified ESM bundle with a source map per function, for Lambda's
 * nodejs24.x runtime. `npm run build` builds every function into dist/<name>/index.mjs; SAM's
 * makefile builds call `node build/build.mjs --only <name> --outdir $(ARTIFACTS_DIR)`.
 * Plain JavaScript so that it also runs on the system Node (20) that `sam build` may use. The same
 * configuration builds the ecs-diag CLI (`--only cli`) into dist/cli/: the entry ecs-diag.mjs and its
 * chunks/, which run on Node 20 or newer without TypeScript (`npm ci` builds it through the `prepare` script).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const functionsDir = join(root, 'functions');

/** The functions: every folder under functions/ with a handler.ts, except the shared lib. */
export function functionNames() {
  return readdirSync(functionsDir)
    .filter(
      (name) => name !== 'lib' && statSync(join(functionsDir, name, 'handler.ts'), { throwIfNoEntry: false }),
    )
    .sort();
}

/** The esbuild options for one function (the single source of truth for bundles). */
export function bundleOptions(name, outdir) {
  return {
    entryPoints: { index: join(functionsDir, name, 'handler.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    // Prefer the ES module builds (the AWS SDK's dist-es) so unused commands are tree-shaken away.
    mainFields: ['module', 'main'],
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    keepNames: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  };
}

/**
 * The esbuild options for the CLI: the function options, for Node 20 (the entry's shebang is kept), split
 * into chunks: each command's action is a dynamic import (bin/commands/*.ts), so a command loads only its own
 * modules and SDK clients, and the SDK's credential providers load only when a call needs credentials.
 */
export function cliOptions(outdir) {
  return {
    ...bundleOptions('cli', outdir),
    entryPoints: { 'ecs-diag': join(root, 'bin', 'ecs-diag.ts') },
    target: 'node20',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  };
}

/**
 * Builds the CLI into `outdir` (default dist/cli; its old chunks are removed) and returns the entry file and
 * the size of the entry and all its chunks.
 */
export async function buildCli(outdir = join(root, 'dist', 'cli')) {
  rmSync(join(outdir, 'chunks'), { recursive: true, force: true });
  const result = await build(cliOptions(outdir));
  const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const entry = outputs.find(([file]) => file.endsWith('ecs-diag.mjs'));
  return { file: entry?.[0] ?? '', bytes: outputs.reduce((sum, [, output]) => sum + output.bytes, 0) };
}

/** Builds the named functions (all by default) and returns each bundle's size in bytes. */
export async function buildFunctions(names = functionNames(), outRoot = join(root, 'dist'), single = false) {
  const sizes = {};
  for (const name of names) {
    const outdir = single ? outRoot : join(outRoot, name);
    const result = await build(bundleOptions(name, outdir));
    const bundle = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('index.mjs'));
    sizes[name] = { file: bundle?.[0] ?? '', bytes: bundle?.[1].bytes ?? 0 };
  }
  return sizes;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { only: { type: 'string' }, outdir: { type: 'string' } } });
  const all = functionNames();
  if (values.only !== undefined && values.only !== 'cli' && !all.includes(values.only)) {
    process.stderr.write(
      `build: --only ${JSON.stringify(values.only)} is not a function; use cli or one of ${all.join(', ')}\n`,
    );
    process.exit(2);
  }
  const names = values.only === 'cli' ? [] : values.only ? [values.only] : all;
  const sizes = await buildFunctions(names, values.outdir ?? join(root, 'dist'), values.outdir !== undefined);
  if (values.only === undefined || values.only === 'cli') {
    sizes['ecs-diag (CLI)'] = await buildCli(values.outdir ?? join(root, 'dist', 'cli'));
  }
  process.stdout.write('function            bundle (minified ESM)   file\n');
  for (const [name, { file, bytes }] of Object.entries(sizes)) {
    const kib = `${(bytes / 1024).toFixed(1)} KiB`;
    process.stdout.write(`${name.padEnd(20)}${kib.padStart(12)}            ${relative(root, file)}\n`);
  }
}
