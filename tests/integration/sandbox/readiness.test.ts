import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { ReadinessCheck } from '#lib/manifest.ts';
import { useSandbox } from '../../support/sandbox-runs.ts';

const EVENT = join(process.cwd(), 'events', 'eventbridge-alarm-exec-not-ready.json');
const TASKS = {
  healthy: '1a2b3c4d5e6f40718293a4b5c6d7e8f9',
  noRole: '2b3c4d5e6f708192a3b4c5d6e7f80912',
  noSsmmessages: '3c4d5e6f708192a3b4c5d6e7f8091a2b',
  vpcWithoutSsmmessages: '4d5e6f708192a3b4c5d6e7f8091a2b3c',
  readonlyRootfs: '5e6f708192a3b4c5d6e7f8091a2b3c4d',
  oldPlatform: '6f708192a3b4c5d6e7f8091a2b3c4d5e',
};

function failed(checks: ReadinessCheck[] | undefined): string[] {
  return (checks ?? []).filter((check) => check.status === 'fail').map((check) => check.id);
}

describe('readiness checks in the sandbox (the broken ledger-prod world)', () => {
  const ctx = useSandbox();

  it('puts each broken task finding, with its fix, in the manifest', async () => {
    const event = JSON.parse(readFileSync(EVENT, 'utf8'));
    const started = (await ctx.sandbox.invoke('start-run', event)) as {
      runs: Array<{ executionArn?: string }>;
    };
    const described = await ctx.finalStatus(started.runs[0]?.executionArn ?? '');
    const manifest = await ctx.manifestOf(described.name ?? '');
    const target = (id: string) => manifest.targets.find((entry) => entry.target.taskArn.endsWith(id));
    const skipped = (id: string) => manifest.skipped.find((entry) => entry.taskArn?.endsWith(id));

    expect(described.status).toBe('SUCCEEDED');
    expect(target(TASKS.healthy)).toMatchObject({ status: 'succeeded' });
    expect(target(TASKS.healthy)?.readiness).toBeUndefined();
    expect(failed(target(TASKS.noRole)?.readiness)).toEqual(['role.exists']);
    expect(failed(target(TASKS.noSsmmessages)?.readiness)).toEqual(['role.ssmmessages']);
    expect(failed(target(TASKS.vpcWithoutSsmmessages)?.readiness)).toEqual([
      'network.ssmmessages-endpoint',
      'network.route',
    ]);
    expect(failed(skipped(TASKS.readonlyRootfs)?.readiness)).toEqual([
      'task.exec-agent',
      'task.readonly-rootfs',
    ]);
    expect(failed(skipped(TASKS.oldPlatform)?.readiness)).toContain('task.platform');
    for (const id of [TASKS.noRole, TASKS.noSsmmessages, TASKS.vpcWithoutSsmmessages]) {
      const entry = target(id);
      expect(entry?.readiness?.find((check) => check.id === 'caller.execute-command')?.status).toBe('pass');
      for (const check of entry?.readiness ?? []) if (check.status === 'fail') expect(check.fix).toBeTruthy();
      expect(entry?.readinessKey).toMatch(new RegExp(`/ledger-prod/${id}/readiness\\.json$`));
    }
    expect(ctx.sandbox.journal.filter((entry) => entry.state === 'CheckReadiness')).toHaveLength(3);
  });

  /** Runs the CLI in a child process (asynchronously: the emulators answer from this one). */
  function check(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [join(process.cwd(), 'bin', 'ecs-diag.ts'), 'check', ...args],
        { encoding: 'utf8', env: { ...process.env, ...ctx.sandbox.env }, timeout: 30_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
          resolve({ status: code, stdout, stderr });
        },
      );
    });
  }

  it('ecs-diag check prints a table and exits 1 for a broken task, 0 for a ready one', async () => {
    const broken = await check(['--cluster', 'ledger-prod', '--task', TASKS.noSsmmessages]);
    const ready = await check(['--cluster', 'ledger-prod', '--task', TASKS.healthy, '--json']);

    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(
      /^FAIL\s+role\.ssmmessages\s+arn:aws:iam::493817260514:role\/ledger-readonly-role/m,
    );
    expect(broken.stdout).toContain('add a statement allowing ssmmessages:CreateControlChannel');
    expect(ready.status).toBe(0);
    const checks = (JSON.parse(ready.stdout) as { checks: ReadinessCheck[] }).checks;
    expect(failed(checks)).toEqual([]);
    expect(checks.find((entry) => entry.id === 'caller.execute-command')?.status).toBe('pass');
  });

  it('ecs-diag check refuses bad arguments with exit 2', async () => {
    const result = await check(['--cluster', 'bad name!', '--task', TASKS.healthy]);

    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--cluster must name an ECS cluster');
  });
});
