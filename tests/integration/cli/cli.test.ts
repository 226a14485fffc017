import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type Sandbox, startSandbox } from '#local/pipeline.ts';
import { loadWorld } from '#local/world.ts';
import { ecsDiag } from './support.ts';

const TASK = '3f9c2a7e1b8d4c6f9a0e5b7d2c4f8a61';

describe('ecs-diag against the sandbox', () => {
  const savedEnv = { ...process.env };
  let sandbox: Sandbox;
  let runName = '';
  const dir = mkdtempSync(join(tmpdir(), 'ecs-diag-cli-'));

  beforeAll(async () => {
    sandbox = await startSandbox({ world: loadWorld(), logLevel: 'SILENT' });
    Object.assign(process.env, sandbox.env);
  });

  afterAll(async () => {
    await sandbox.close();
    process.env = savedEnv;
    rmSync(dir, { recursive: true, force: true });
  });

  it('run --wait shows live progress, then the per-target table, and exits 0 when every target succeeded', async () => {
    const result = await ecsDiag([
      'run',
      '--cluster',
      'payments-prod',
      '--service',
      'checkout-api',
      '--max-tasks',
      '2',
      '--wait',
      '--poll-ms',
      '50',
    ]);

    expect(result.err).toMatch(/^started arn:aws:states:.*:execution:ecs-alarm-diagnostics:manual-/m);
    expect(result.err).toMatch(/\/checkout: (running|done|succeeded), attempt 1/);
    expect(result.out).toMatch(/^outcome: {2}succeeded \(2 succeeded/m);
    expect(result.out).toMatch(/^TARGET\s+STATUS\s+EXIT\s+BYTES\s+ATTEMPTS/m);
    expect(result.code).toBe(0);
    runName = /^run: +(\S+)$/m.exec(result.out)?.[1] ?? '';
    expect(runName).toMatch(/^manual-/);
  });

  it('run --wait on a cluster the stack may not touch names the cluster and the deploy parameter, and exits 1', async () => {
    const result = await ecsDiag([
      'run',
      '--cluster',
      'other-cluster',
      '--service',
      'web',
      '--wait',
      '--poll-ms',
      '50',
    ]);

    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^outcome: {2}failed/m);
    expect(result.err).toMatch(/^why: .*"other-cluster".*TargetClusterNames/m);
  });

  it('runs lists that run, newest first, with outcome and counts', async () => {
    const table = await ecsDiag(['runs', '--since', '1h']);
    const listed = await ecsDiag(['runs', '--json', '--cluster', 'payments-prod', '--status', 'succeeded']);
    const none = await ecsDiag(['runs', '--cluster', 'never-ran-here']);

    expect(table.code).toBe(0);
    expect(table.out).toContain(runName);
    expect(table.out).toContain('payments-prod/checkout-api');
    const runs = (JSON.parse(listed.out) as { runs: Array<{ name: string; outcome: string }> }).runs;
    expect(runs[0]).toMatchObject({ name: runName, outcome: 'succeeded' });
    expect(none.out).toBe('no runs match');
  });

  it('show prints the manifest, one target, its output, and downloads the run', async () => {
    const shown = await ecsDiag(['show', runName]);
    const one = await ecsDiag(['show', runName, '--target', TASK, '--json']);
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(Buffer.from(chunk).toString('utf8'));
      return true;
    });
    const output = await ecsDiag(['show', runName, '--target', `${TASK}/checkout`, '--output']).finally(() =>
      spy.mockRestore(),
    );
    const downloaded = await ecsDiag(['show', runName, '--download', dir]);

    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`${TASK}/checkout`);
    const manifest = JSON.parse(one.out) as { targets: Array<{ target: { taskArn: string } }> };
    expect(manifest.targets).toHaveLength(1);
    expect(manifest.targets[0]?.target.taskArn).toContain(TASK);
    expect(output.code).toBe(0);
    expect(chunks.join('').length).toBeGreaterThan(100);
    expect(downloaded.code).toBe(0);
    const manifestFile = join(dir, runName, 'manifest.json');
    expect(JSON.parse(readFileSync(manifestFile, 'utf8'))).toMatchObject({ executionName: runName });
  });

  it('show names an unknown run and a target that is not in the run', async () => {
    const unknown = await ecsDiag(['show', 'manual-nope']);
    const badTarget = await ecsDiag(['show', runName, '--target', 'ffffffffffffffffffffffffffffffff']);

    expect(unknown.code).toBe(4);
    expect(unknown.err).toContain('no run "manual-nope"');
    expect(badTarget.code).toBe(2);
    expect(badTarget.err).toContain(`targets: ${TASK}/checkout`);
  });

  it("exec exits with the command's own code, and streams its output", async () => {
    const chunks: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(Buffer.from(chunk).toString('utf8'));
      return true;
    });
    try {
      const ok = await ecsDiag([
        'exec',
        '--cluster',
        'payments-prod',
        '--task',
        TASK,
        '--',
        'echo',
        'hello from exec',
      ]);
      const seven = await ecsDiag([
        'exec',
        '--cluster',
        'payments-prod',
        '--task',
        TASK,
        '--',
        'sh',
        '-c',
        'exit 7',
      ]);
      expect(ok.code).toBe(0);
      expect(seven.code).toBe(7);
    } finally {
      spy.mockRestore();
    }
    expect(chunks.join('')).toContain('hello from exec');
    expect(chunks.join('')).not.toContain('__ECSDIAG_RC_');
  });

  it('exec exits 124 when --timeout cuts the command and 130 on Ctrl-C, terminating the session', async () => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const timedOut = await ecsDiag([
        'exec',
        '--cluster',
        'payments-prod',
        '--task',
        TASK,
        '--timeout',
        '1',
        '--',
        'sleep',
        '20',
      ]);
      const interrupt = setTimeout(() => process.emit('SIGINT'), 1500);
      const interrupted = await ecsDiag([
        'exec',
        '--cluster',
        'payments-prod',
        '--task',
        TASK,
        '--',
        'sleep',
        '20',
      ]);
      clearTimeout(interrupt);

      expect(timedOut.code).toBe(124);
      expect(timedOut.err).toContain('the session was terminated');
      expect(interrupted.code).toBe(130);
      expect(interrupted.err).toContain('interrupted');
    } finally {
      spy.mockRestore();
    }
  });

  it('exec refuses a task with no such id, naming the task and the cluster', async () => {
    const missing = await ecsDiag([
      'exec',
      '--cluster',
      'payments-prod',
      '--task',
      'ffffffffffffffffffffffffffffffff',
      '--',
      'true',
    ]);

    expect(missing.code).toBe(4);
    expect(missing.err).toContain('task ffffffffffffffffffffffffffffffff in cluster payments-prod');
  });
});
