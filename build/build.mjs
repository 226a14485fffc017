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
import { readFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
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

/**
 * Built-ins that bundled code imports at the top but uses only on paths our handlers never take: middy's
 * `node:stream/web` serves streamed responses alone, and loading it costs 3-10 ms of CPU per cold start here.
 * They load on first use instead (see lazyModule).
 */
const LAZY_BUILTINS = new Set(['node:stream/web']);

/**
 * A CommonJS module whose exports stand for `name` and load it on first read. esbuild's interop lists the
 * export names (ownKeys, from the Node that builds) and reads each where the bundle uses it.
 */
function lazyModule(name) {
  const keys = Object.keys(createRequire(import.meta.url)(name));
  return `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(name)}));
const keys = ${JSON.stringify(keys)};
module.exports = new Proxy({}, {
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => key in load(),
  ownKeys: () => keys,
  getOwnPropertyDescriptor: (_, key) =>
    keys.includes(key) ? { configurable: true, enumerable: true, writable: false, value: undefined } : undefined,
});`;
}

/**
 * Node built-ins as require() calls, not ES module imports. Node builds a built-in's ESM namespace by reading
 * every export, which runs its lazy getters: `node:http`'s WebSocket, MessageEvent and CloseEvent load undici,
 * about 35 ms of CPU in every cold start (see BENCHMARKS.md, cold-start). require() returns the exports object
 * and reads nothing; esbuild's interop reads each import where it is used.
 */
export const builtinsAsRequire = {
  name: 'builtins-as-require',
  setup(build) {
    build.onResolve({ filter: /^(?:node:)?[a-z][a-z0-9_/]*$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      const name = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      if (args.namespace === 'builtin' || args.kind === 'require-call') return { path: name, external: true };
      return { path: name, namespace: 'builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: LAZY_BUILTINS.has(args.path)
        ? lazyModule(args.path)
        : `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/** What crc32NativeOnUse replaces in @smithy/core's Crc32Node.js (the build fails if it is not there). */
const CRC32_IMPORT = 'import * as zlib from "node:zlib";';
const CRC32_CHECK = 'typeof zlib.crc32 === "function" ? zlib.crc32 : undefined';

/**
 * @smithy/core's Crc32Node chooses zlib.crc32 at import (`typeof zlib.crc32`), which loads `node:zlib`
 * (about 5 ms of CPU) in every cold start: the checksum module shares a chunk with code the entry needs,
 * while only S3 checksums and event streams compute a CRC32. The function bundles run on nodejs24.x, where
 * zlib.crc32 always exists (Node 22.2 and newer), so they take the native class and load zlib on the first
 * checksum. Not for the CLI, which may run on a Node 20 without zlib.crc32.
 */
export const crc32NativeOnUse = {
  name: 'crc32-native-on-use',
  setup(plugin) {
    plugin.onLoad(
      { filter: /[\\/]@smithy[\\/]core[\\/]dist-es[\\/].*[\\/]crc32[\\/]Crc32Node\.js$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(CRC32_IMPORT) || !source.includes(CRC32_CHECK)) {
          throw new Error(`${args.path} no longer reads as crc32NativeOnUse expects; update build/build.mjs`);
        }
        const contents = source
          .replace(CRC32_IMPORT, '')
          .replace(CRC32_CHECK, '(data, value) => require("node:zlib").crc32(data, value)');
        return { contents, loader: 'js' };
      },
    );
  },
};

/**
 * The routing table validated when the bundle is built, not at every cold start: routing-table.ts runs here
 * (bundled by esbuild, with its parseRoutingTable and zod) and the bundle gets the table it computed, as a
 * literal. The file is part of the bundle, so nothing can change it after the build; a bad file fails the
 * build with the ConfigurationError it would raise at load. Unbundled code (tests, the sandbox) still
 * validates at load.
 */
export const routingTableAtBuild = {
  name: 'routing-table-at-build',
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]functions[\\/]lib[\\/]targets[\\/]routing-table\.ts$/ }, async (args) => {
      const bundled = await build({
        entryPoints: [args.path],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'esm',
        metafile: true,
        logLevel: 'silent',
      });
      const code = Buffer.from(bundled.outputFiles[0].contents).toString('base64');
      const { routingTable } = await import(`data:text/javascript;base64,${code}`);
      return {
        contents: `export const routingTable = ${JSON.stringify(routingTable)};`,
        loader: 'js',
        watchFiles: Object.keys(bundled.metafile.inputs).map((input) => join(root, input)),
      };
    });
  },
};

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
    // Code that only a dynamic import() reaches (the SDK's SSO, STS, INI and process credential providers,
    // event streams, bowser) goes into chunks that load only if it runs: Lambda's credentials come from the
    // environment, so a cold start never parses them.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    plugins: [builtinsAsRequire, routingTableAtBuild, crc32NativeOnUse],
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
    plugins: [builtinsAsRequire, routingTableAtBuild],
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

/** Bytes of an output and of every chunk it imports statically: what a cold start loads and parses. */
export function loadedBytes(outputs, file, seen = new Set()) {
  if (seen.has(file) || outputs[file] === undefined) return 0;
  seen.add(file);
  return outputs[file].imports
    .filter((imported) => imported.kind === 'import-statement' && !imported.external)
    .reduce((sum, imported) => sum + loadedBytes(outputs, imported.path, seen), outputs[file].bytes);
}

/**
 * Builds the named functions (all by default) and returns each bundle's entry file and the bytes a cold
 * start loads (the entry and the chunks it imports statically). dist/<name> is emptied first so that no
 * stale chunk stays behind; an explicit `--outdir` (SAM's fresh ARTIFACTS_DIR) is written as it is.
 */
export async function buildFunctions(names = functionNames(), outRoot = join(root, 'dist'), single = false) {
  const sizes = {};
  for (const name of names) {
    const outdir = single ? outRoot : join(outRoot, name);
    if (!single) rmSync(outdir, { recursive: true, force: true });
    const result = await build(bundleOptions(name, outdir));
    const outputs = result.metafile.outputs;
    const entry = Object.keys(outputs).find((file) => file.endsWith('index.mjs')) ?? '';
    sizes[name] = { file: entry, bytes: loadedBytes(outputs, entry) };
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
  process.stdout.write('function            loaded at start   file\n');
  for (const [name, { file, bytes }] of Object.entries(sizes)) {
    const kib = `${(bytes / 1024).toFixed(1)} KiB`;
    process.stdout.write(`${name.padEnd(20)}${kib.padStart(12)}      ${relative(root, file)}\n`);
  }
}
