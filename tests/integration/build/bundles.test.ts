import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFunctions, functionNames } from '../../../build/build.mjs';
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
});
