import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { routingTable } from '#lib/targets/routing-table.ts';
import { buildFunctions, bundleOptions, functionNames, routingTableAtBuild } from '../../../build/build.mjs';
import { fakeContext } from '../../support/lambda-context.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outRoot = mkdtempSync(join(tmpdir(), 'bundles-'));
let sizes: Record<string, { file: string; bytes: number }>;

/**
 * A function's bundle inputs: those in what a cold start loads (the entry and the chunks it imports
 * statically) and those in any output (dynamic chunks included).
 */
async function coldStartInputs(name: string): Promise<{ loadedInputs: string[]; allInputs: string[] }> {
  const result = await build(bundleOptions(name, join(outRoot, `split-check-${name}`)));
  const outputs = result.metafile.outputs;
  const entry = Object.keys(outputs).find((file) => file.endsWith('index.mjs')) ?? '';
  const loaded = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const imported of outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
    }
  }
  return {
    loadedInputs: [...loaded].flatMap((file) =>
      Object.entries(outputs[file]?.inputs ?? {})
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([input]) => input),
    ),
    allInputs: Object.values(outputs).flatMap((output) => Object.keys(output.inputs)),
  };
}

/** Imports a built bundle (an .mjs file jest does not transform), as the Lambda runtime would. */
async function importBundle(name: string): Promise<{ handler: Handler }> {
  const url = pathToFileURL(join(outRoot, name, 'index.mjs')).href;
  return (await import(url)) as { handler: Handler };
}

describe('function bundles (build/build.mjs)', () => {
  beforeAll(async () => {
    process.env.OUTPUT_BUCKET = 'bundle-test-bucket';
    process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:bundle-test';
    sizes = await buildFunctions(functionNames(), outRoot);
  });

  afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

  it('builds one minified ESM bundle per function', () => {
    expect(Object.keys(sizes).sort()).toEqual([
      'check-readiness',
      'resolve-targets',
      'run-diagnostic',
      'start-run',
      'write-report',
    ]);
    for (const { bytes } of Object.values(sizes)) expect(bytes).toBeGreaterThan(10_000);
  });

  it.each(['resolve-targets', 'run-diagnostic', 'start-run', 'write-report'])(
    '%s loads and exports a handler',
    async (name) => {
      const bundle = await importBundle(name);
      expect(typeof bundle.handler).toBe('function');
    },
  );

  it.each([
    ['write-report', { state: {} }, 'InvalidRequestError'],
    [
      'resolve-targets',
      { request: { cluster: 'demo', script: 'rm -rf /' }, execution: {} },
      'InvalidRequestError',
    ],
    ['run-diagnostic', { target: {}, run: {} }, 'InvalidRequestError'],
  ])('%s keeps the Step Functions error name after minification', async (name, event, errorName) => {
    const { handler } = await importBundle(name);
    await expect(handler(event, fakeContext(name))).rejects.toMatchObject({ name: errorName });
  });

  it('keeps code that Lambda never runs out of what a cold start loads', async () => {
    const { loadedInputs, allInputs } = await coldStartInputs('start-run');

    expect(allInputs.some((input) => input.includes('credential-provider-sso'))).toBe(true);
    expect(loadedInputs.filter((input) => /credential-provider-(sso|ini|process)\//.test(input))).toEqual([]);
    expect(loadedInputs.filter((input) => input.includes('/zod/v4/classic/'))).toEqual([]);
  });

  it('run-diagnostic loads the KMS and SSM clients only when a session needs them', async () => {
    const { loadedInputs, allInputs } = await coldStartInputs('run-diagnostic');
    const clients = /node_modules\/@aws-sdk\/client-(kms|ssm)\//;

    expect(allInputs.filter((input) => clients.test(input)).length).toBeGreaterThan(0);
    expect(loadedInputs.filter((input) => clients.test(input))).toEqual([]);
  });

  it.each(functionNames())('%s loads no built-in it does not use at start (undici, stream/web)', (name) => {
    const modules = modulesAtStart(name);

    expect(modules).toContain('NativeModule https');
    expect(modules.filter((module) => /undici|stream\/web/.test(module))).toEqual([]);
  });

  it.each(['check-readiness', 'resolve-targets', 'start-run', 'write-report'])(
    '%s loads no zlib at start (the CRC32 class takes zlib on its first checksum)',
    (name) => {
      expect(modulesAtStart(name)).not.toContain('NativeModule zlib');
    },
  );

  it('bundles the routing table validated at build, and the table matches the one the source computes', async () => {
    const result = await build({
      ...bundleOptions('start-run', join(outRoot, 'routing-check')),
      entryPoints: { table: join(root, 'functions', 'lib', 'targets', 'routing-table.ts') },
      write: false,
    });
    const table = result.outputFiles?.find((file) => file.path.endsWith('table.mjs'))?.text ?? '';

    expect(table).not.toMatch(/strictObject|safeParse/);
    const code = table.replace(/^import \{ createRequire \}.*$/m, '');
    const bundled = (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as {
      routingTable: unknown;
    };
    expect(bundled.routingTable).toEqual(routingTable);
  });

  it('fails the build on a bad routing file, with the error it would raise at load', async () => {
    const dir = join(outRoot, 'bad-routing', 'functions', 'lib', 'targets');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ version: 1, routes: [{ alarmName: 'x', service: 's' }] }),
    );
    writeFileSync(
      join(dir, 'routing-table.ts'),
      [
        "import file from './bad.json' with { type: 'json' };",
        `import { parseRoutingTable } from ${JSON.stringify(join(root, 'functions', 'lib', 'targets', 'routing.ts'))};`,
        'export const routingTable = parseRoutingTable(file);',
      ].join('\n'),
    );

    await expect(
      build({
        entryPoints: [join(dir, 'routing-table.ts')],
        bundle: true,
        write: false,
        platform: 'node',
        format: 'esm',
        logLevel: 'silent',
        plugins: [routingTableAtBuild],
      }),
    ).rejects.toThrow('routing/routing.json: routes.0.service: a route with a service needs its cluster');
  });
});

/** The built-in modules a bundle has loaded once its import returns. */
function modulesAtStart(name: string): string[] {
  const probe =
    'await import(process.argv[1]); process.stdout.write(JSON.stringify(process.moduleLoadList));';
  const child = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', probe, join(outRoot, name, 'index.mjs')],
    {
      env: { ...process.env, AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      encoding: 'utf8',
    },
  );
  expect(child.stderr).toBe('');
  return JSON.parse(child.stdout) as string[];
}
