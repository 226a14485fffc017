import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { buildFunctions, bundleOptions, functionNames } from '../../../build/build.mjs';
import { fakeContext } from '../../support/lambda-context.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const outRoot = mkdtempSync(join(tmpdir(), 'bundles-'));
let sizes: Record<string, { file: string; bytes: number }>;

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
    const result = await build(bundleOptions('start-run', join(outRoot, 'split-check')));
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
    const loadedInputs = [...loaded].flatMap((file) => Object.keys(outputs[file]?.inputs ?? {}));
    const allInputs = Object.values(outputs).flatMap((output) => Object.keys(output.inputs));

    expect(allInputs.some((input) => input.includes('credential-provider-sso'))).toBe(true);
    expect(loadedInputs.filter((input) => /credential-provider-(sso|ini|process)\//.test(input))).toEqual([]);
    expect(loadedInputs.filter((input) => input.includes('/zod/v4/classic/'))).toEqual([]);
  });

  it.each(functionNames())('%s loads no built-in it does not use at start (undici, stream/web)', (name) => {
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
    const modules = JSON.parse(child.stdout) as string[];

    expect(modules).toContain('NativeModule https');
    expect(modules.filter((module) => /undici|stream\/web/.test(module))).toEqual([]);
  });
});
