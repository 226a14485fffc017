import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { collectOutcome } from '#local/run-report.ts';
import { useSandbox } from '../../support/sandbox-runs.ts';

function event(name: string): unknown {
  return JSON.parse(readFileSync(join(process.cwd(), 'events', name), 'utf8'));
}

describe('an alarm event carrying its tags, through the local sandbox', () => {
  const ctx = useSandbox();

  it('runs the composite alarm with the tags of its event and never asks ListTagsForResource', async () => {
    const started = (await ctx.sandbox.invoke(
      'start-run',
      event('eventbridge-alarm-composite-tags.json'),
    )) as {
      runs: Array<{ outcome: string; executionArn?: string }>;
    };
    expect(started.runs[0]?.outcome).toBe('started');
    const described = await ctx.finalStatus(started.runs[0]?.executionArn ?? '');
    const outcome = collectOutcome(ctx.sandbox.journal, described.name ?? '');

    expect(described.status).toBe('SUCCEEDED');
    expect(outcome.results.map((r) => [r.target.container, r.target.script, r.status])).toEqual([
      ['checkout', 'basic', 'succeeded'],
      ['checkout', 'basic', 'succeeded'],
    ]);
    const resolved = ctx.sandbox.journal.find((entry) => entry.state === 'ResolveTargets')?.input;
    expect(resolved).toMatchObject({
      request: { alarm: { tags: { cluster: 'payments-prod', service: 'checkout-api', script: 'basic' } } },
    });
    expect(ctx.sandbox.cloudwatch.calls.get('DescribeAlarms')).toBeGreaterThan(0);
    expect(ctx.sandbox.cloudwatch.calls.get('ListTagsForResource')).toBeUndefined();
  });

  it('asks ListTagsForResource for the same alarm when its event carries no tags', async () => {
    // The request of the run above, without the tags its event carried.
    const resolveInput = (ctx.sandbox.journal.find((entry) => entry.state === 'ResolveTargets')?.input ??
      {}) as {
      request: { alarm: { tags?: unknown } };
      execution: unknown;
    };
    const { tags: _tags, ...alarm } = resolveInput.request.alarm;

    await ctx.sandbox.invoke('resolve-targets', {
      ...resolveInput,
      request: { ...resolveInput.request, alarm },
    });

    expect(ctx.sandbox.cloudwatch.calls.get('ListTagsForResource')).toBe(1);
  });
});
