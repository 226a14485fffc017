import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { buildCli } from '../../../build/build.mjs';

const outdir = mkdtempSync(join(tmpdir(), 'cli-bundle-'));

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

  it('runs `attach` from one file, without the TypeScript sources, and captures byte-exact', async () => {
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
});
