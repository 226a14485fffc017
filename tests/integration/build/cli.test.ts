import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { buildCli, cliOptions } from '../../../build/build.mjs';

const outdir = mkdtempSync(join(tmpdir(), 'cli-bundle-'));

/** The source files a built chunk loads before it runs: its own and those of the chunks it imports statically. */
function staticInputs(metafile: Metafile, chunk: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(chunk);
  return [...seen].flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
}

/** The output chunk built from `source` (an entry point or a dynamic import). */
function chunkOf(metafile: Metafile, source: string): string {
  const found = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === source);
  if (found === undefined) throw new Error(`no chunk for ${source}`);
  return found[0];
}

describe('the built CLI (build/build.mjs cli)', () => {
  let emulator: AgentEmulator;
  let file: string;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
    ({ file } = await buildCli(outdir));
  });
  afterAll(async () => {
    await emulator.close();
    rmSync(outdir, { recursive: true, force: true });
  });

  it('runs `attach` from the built entry and its chunks, without the TypeScript sources, and captures byte-exact', async () => {
    // Arrange
    const session = emulator.createSession({ generatedOutputBytes: 64 * 1024 });

    // Act
    const stdout = await new Promise<Buffer>((resolve, reject) => {
      execFile(
        join(process.cwd(), 'node_modules/.bin/node'),
        [file, 'attach', '--session', JSON.stringify(session)],
        {
          cwd: outdir,
          encoding: 'buffer',
          env: {
            ...process.env,
            AWS_ENDPOINT_URL_SSM: emulator.httpEndpoint,
            AWS_ENDPOINT_URL_KMS: emulator.httpEndpoint,
          },
        },
        (error, out, stderr) =>
          error === null ? resolve(out) : reject(new Error(`${error.message}\n${stderr}`)),
      );
    });
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(file.endsWith('ecs-diag.mjs')).toBe(true);
    expect(stdout.length).toBe(64 * 1024);
    expect(createHash('sha256').update(stdout).digest('hex')).toBe(report.outputSha256);
    expect(report.violations).toEqual([]);
  });

  it('loads no AWS SDK and no schema library to start, and for `attach` only the capture (KMS and SSM on first use)', async () => {
    // Arrange
    const result = await build({ ...cliOptions(join(outdir, 'metafile')), write: false });
    const metafile = result.metafile as Metafile;

    // Act
    const startUp = staticInputs(metafile, chunkOf(metafile, 'bin/ecs-diag.ts'));
    const program = staticInputs(metafile, chunkOf(metafile, 'bin/program.ts'));
    const attach = staticInputs(metafile, chunkOf(metafile, 'bin/actions/attach.ts'));

    // Assert
    expect(program).toContain('bin/commands/attach.ts');
    expect(program.some((file) => file.includes('node_modules/commander/'))).toBe(true);
    for (const file of [...startUp, ...program])
      expect(file).not.toMatch(/node_modules\/(@aws-sdk|@smithy|zod|ws)\//);
    expect(attach).toContain('functions/lib/ssm-session/capture.ts');
    expect(attach.some((file) => file.includes('node_modules/ws/'))).toBe(true);
    for (const file of attach) {
      expect(file).not.toMatch(
        /node_modules\/(zod|@aws-sdk\/client-(ec2|ecs|s3|sfn|iam|cloudformation|cloudwatch|kms|ssm))\//,
      );
      expect(file).not.toMatch(
        /node_modules\/@aws-sdk\/credential-provider-(ini|sso|process|http|web-identity)\//,
      );
    }
  });
});
