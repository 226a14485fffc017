import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';

const root = process.cwd();

interface Result {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs `ecs-diag attach ...` in a Node 24 child with the emulator as the SSM and KMS endpoints. */
function attach(args: string[], emulator: AgentEmulator): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules/.bin/node'),
      [join(root, 'bin/ecs-diag.ts'), 'attach', ...args],
      {
        cwd: root,
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL_SSM: emulator.httpEndpoint,
          AWS_ENDPOINT_URL_KMS: emulator.httpEndpoint,
        },
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr: stderr.toString('utf8') });
      },
    );
  });
}

describe('ecs-diag attach', () => {
  let emulator: AgentEmulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
    dir = mkdtempSync(join(tmpdir(), 'ecs-diag-attach-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await emulator.close();
  });

  it('writes the raw output to stdout and exits 0 on a normal close', async () => {
    // Arrange
    const session = emulator.createSession({
      generatedOutputBytes: 3 * 1024 * 1024,
      faults: { seed: 21, reorderWindow: 6, duplicateRate: 0.2 },
    });

    // Act
    const result = await attach(['--session', JSON.stringify(session)], emulator);

    // Assert
    const report = await emulator.waitForSession(session.sessionId);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(createHash('sha256').update(result.stdout).digest('hex')).toBe(report.outputSha256);
    expect(report.violations).toEqual([]);
  });

  it('reads the whole ExecuteCommand response from a file, does KMS with --target, writes --out', async () => {
    // Arrange
    const target = 'ecs:diag_0123456789abcdef0123456789abcdef_0123456789abcdef-1234567890';
    const session = emulator.createSession({
      command: `sh -c 'echo kms via the cli'`,
      kms: { keyId: 'alias/ecs-exec' },
      targetId: target,
    });
    const sessionFile = join(dir, 'response.json');
    writeFileSync(
      sessionFile,
      JSON.stringify({ clusterArn: 'arn:aws:ecs:eu-west-1:1:cluster/diag', session }),
    );
    const out = join(dir, 'kms.out');

    // Act
    const result = await attach(['--session', sessionFile, '--target', target, '--out', out], emulator);

    // Assert
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('kms via the cli\r\n');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect((await emulator.waitForSession(session.sessionId)).violations).toEqual([]);
  });

  it('--timeout: keeps the output, terminates the session and exits 3 with a clear message', async () => {
    // Arrange
    const session = emulator.createSession({ command: `sh -c 'echo begun; sleep 30'` });
    const out = join(dir, 'timeout.out');

    // Act
    const result = await attach(
      ['--session', JSON.stringify(session), '--out', out, '--timeout', '1'],
      emulator,
    );

    // Assert
    expect(result.code).toBe(124);
    expect(result.stderr).toMatch(
      /^ecs-diag attach: truncated: the --timeout of 1 s passed; the session was terminated/,
    );
    expect(readFileSync(out, 'utf8')).toBe('begun\r\n');
    expect((await emulator.waitForSession(session.sessionId)).state).toBe('terminated');
  });

  it('Ctrl-C (SIGINT): keeps the output so far, terminates the session and exits 130', async () => {
    // Arrange
    const session = emulator.createSession({ command: `sh -c 'echo begun; sleep 30'` });
    const child = spawn(
      join(root, 'node_modules/.bin/node'),
      [join(root, 'bin/ecs-diag.ts'), 'attach', '--session', JSON.stringify(session)],
      { cwd: root, env: { ...process.env, AWS_ENDPOINT_URL_SSM: emulator.httpEndpoint } },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (data: Buffer) => {
        stdout += data.toString('utf8');
        if (stdout.includes('begun')) resolve();
      }),
    );

    // Act
    child.kill('SIGINT');

    // Assert
    expect(await exited).toBe(130);
    expect(stdout).toBe('begun\r\n');
    expect(stderr).toMatch(/^ecs-diag attach: interrupted: output truncated; the session was terminated/);
    expect((await emulator.waitForSession(session.sessionId)).state).toBe('terminated');
  });

  it('--out that cannot be created: exits 1 naming --out, and the session is never opened', async () => {
    // Arrange
    const session = emulator.createSession({ generatedOutputBytes: 1024 });

    // Act
    const result = await attach(
      ['--session', JSON.stringify(session), '--out', join(dir, 'no-such-dir', 'x.out')],
      emulator,
    );

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^ecs-diag attach: --out: cannot write ".*x\.out" \(ENOENT\); the session was not opened/,
    );
    expect(emulator.report(session.sessionId).state).toBe('waiting');
  });

  it('a write that fails mid-capture (ENOSPC on /dev/full): exits 1 and ends the session', async () => {
    // Arrange
    const session = emulator.createSession({ generatedOutputBytes: 1024 * 1024 });

    // Act
    const result = await attach(['--session', JSON.stringify(session), '--out', '/dev/full'], emulator);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ecs-diag attach: could not write the output: ENOSPC');
    const report = await emulator.waitForSession(session.sessionId);
    expect(report.state).toBe('terminated');
    expect(report.violations).toEqual([]);
  });

  it('exits 1 with the error when the session fails (channel_closed with a reason)', async () => {
    // Arrange
    const session = emulator.createSession({
      generatedOutputBytes: 1024,
      faults: { closeReason: 'Session terminated: idle timeout' },
    });

    // Act
    const result = await attach(['--session', JSON.stringify(session)], emulator);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ecs-diag attach: SessionClosedError:');
    expect(result.stderr).toContain('idle timeout');
  });

  it.each([
    [[], "required option '--session <json|file>' not specified"],
    [['--session', '{"sessionId":"s","streamUrl":"https://x"}'], '--session: field tokenValue is missing'],
    [
      ['--session', '{"sessionId":"s","streamUrl":"https://x","tokenValue":"t"}'],
      'must be a ws:// or wss:// URL',
    ],
    [['--session', '/no/such/file.json'], 'neither JSON nor an existing file'],
    [['--session', '{}', '--bogus'], "unknown option '--bogus'"],
    [
      ['--session', '{"sessionId":"s","streamUrl":"ws://x","tokenValue":"t"}', '--timeout', 'soon'],
      '--timeout:',
    ],
    [
      ['--session', '{"sessionId":"s","streamUrl":"ws://x","tokenValue":"t"}', '--target', 'task-1'],
      '--target:',
    ],
  ])('usage error %j exits 2 naming the flag', async (args, message) => {
    // Act
    const result = await attach(args, emulator);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('(add --help for usage)');
  });
});
