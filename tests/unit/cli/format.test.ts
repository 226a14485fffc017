import { describe, expect, it } from '@jest/globals';
import type { Manifest } from '#lib/manifest.ts';
import { upgradeManifest } from '#lib/run-files.ts';
import { execCommandLine } from '../../../bin/actions/exec.ts';
import { pickTarget } from '../../../bin/actions/show.ts';
import { cell, table } from '../../../bin/cli/io.ts';

const v1 = {
  schemaVersion: 1,
  executionName: 'run-1',
  startedAt: '2026-12-01T00:00:00.000Z',
  writtenAt: '2026-12-01T00:01:00.000Z',
  outcome: 'partial',
  summary: { targets: 2, succeeded: 1, failed: 1, skipped: 0 },
  request: { cluster: 'c', service: 's' },
  targets: [
    {
      target: { cluster: 'c', taskArn: 'arn:aws:ecs:r:1:task/c/aaa', container: 'app', script: 'basic' },
      status: 'succeeded',
      attempts: 2,
    },
    {
      target: { cluster: 'c', taskArn: 'arn:aws:ecs:r:1:task/c/bbb', container: 'app', script: 'basic' },
      status: 'failed',
      error: { name: 'X', message: 'y' },
    },
  ],
  skipped: [],
  errors: [],
};

describe('ecs-diag formatting', () => {
  it('pads table columns and escapes what a terminal would interpret', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['x\u001b[2J', 1],
          ['yy', null],
        ],
      ),
    ).toBe('A           LONGER\nx\\u{1b}[2J  1\nyy');
    expect(cell('a'.repeat(10), 5)).toBe('aaaa…');
  });

  it('upgrades a schema-1 manifest to the v2 shape the CLI reads', () => {
    const manifest = upgradeManifest(v1);

    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.summary.byStatus).toEqual({ succeeded: 1, partial: 0, 'not-applicable': 0, failed: 1 });
    expect(manifest.targets[0]?.attempts).toHaveLength(2);
    expect(() => upgradeManifest({ schemaVersion: 9 })).toThrow('not a run manifest');
  });

  it('picks a target by task id, task/container or task ARN, and lists the targets otherwise', () => {
    const manifest: Manifest = upgradeManifest(v1);

    expect(pickTarget(manifest, 'bbb').target.taskArn).toContain('/bbb');
    expect(pickTarget(manifest, 'aaa/app').target.taskArn).toContain('/aaa');
    expect(pickTarget(manifest, 'arn:aws:ecs:r:1:task/c/aaa/app').target.taskArn).toContain('/aaa');
    expect(() => pickTarget(manifest, 'zzz')).toThrow(
      'no target "zzz" in this run (targets: aaa/app, bbb/app)',
    );
    expect(() => pickTarget(manifest, undefined)).toThrow('several targets match');
  });

  it('quotes every word of an exec command for the agent, with the exit-status marker after it', () => {
    const line = execCommandLine(['sh', '-c', "echo 'hi'; exit 7"], 'a'.repeat(32));

    expect(line).toBe(
      `'/bin/sh' '-c' '"$@" </dev/null; printf '"'"'%s%s=%s\\n'"'"' __ECSDIAG_RC_ ${'a'.repeat(32)} "$?"' 'ecs-diag' 'sh' '-c' 'echo '"'"'hi'"'"'; exit 7'`,
    );
  });
});
