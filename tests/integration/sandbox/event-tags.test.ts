import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Sandbox, startSandbox } from '#local/pipeline.ts';
import { collectOutcome } from '#local/run-report.ts';
import { loadWorld } from '#local/world.ts';
import { finalStatus } from '../../support/executions.ts';

function event(name: string): unknown {
  return JSON.parse(readFileSync(join(process.cwd(), 'events', name), 'utf8'));
}

describe('an alarm event carrying its tags, through the local sandbox', () => {
  const savedEnv = { ...process.env };
  let sandbox: Sandbox;
  let sfn: SFNClient;

  beforeAll(async () => {
    sandbox = await startSandbox({ world: loadWorld(), logLevel: 'SILENT' });
    sfn = new SFNClient({ endpoint: sandbox.endpoints.sfn, region: sandbox.world.region });
  });

  afterAll(async () => {
    sfn.destroy();
    await sandbox.close();
    process.env = savedEnv;
  });

  it('runs the composite alarm with the tags of its event and never asks ListTagsForResource', async () => {
    const started = (await sandbox.invoke('start-run', event('eventbridge-alarm-composite-tags.json'))) as {
      runs: Array<{ outcome: string; executionArn?: string }>;
    };
    expect(started.runs[0]?.outcome).toBe('started');
    const described = await finalStatus(sfn, started.runs[0]?.executionArn ?? '');
    const outcome = collectOutcome(sandbox.journal, described.name ?? '');

    expect(described.status).toBe('SUCCEEDED');
    expect(outcome.results.map((r) => [r.target.container, r.target.script, r.status])).toEqual([
      ['checkout', 'basic', 'succeeded'],
      ['checkout', 'basic', 'succeeded'],
    ]);
    const resolved = sandbox.journal.find((entry) => entry.state === 'ResolveTargets')?.input;
    expect(resolved).toMatchObject({
      request: { alarm: { tags: { cluster: 'payments-prod', service: 'checkout-api', script: 'basic' } } },
    });
    expect(sandbox.cloudwatch.calls.get('DescribeAlarms')).toBeGreaterThan(0);
    expect(sandbox.cloudwatch.calls.get('ListTagsForResource')).toBeUndefined();
  });

  it('asks ListTagsForResource for the same alarm when its event carries no tags', async () => {
    // The request of the run above, without the tags its event carried.
    const resolveInput = (sandbox.journal.find((entry) => entry.state === 'ResolveTargets')?.input ?? {}) as {
      request: { alarm: { tags?: unknown } };
      execution: unknown;
    };
    const { tags: _tags, ...alarm } = resolveInput.request.alarm;

    await sandbox.invoke('resolve-targets', { ...resolveInput, request: { ...resolveInput.request, alarm } });

    expect(sandbox.cloudwatch.calls.get('ListTagsForResource')).toBe(1);
  });
});
