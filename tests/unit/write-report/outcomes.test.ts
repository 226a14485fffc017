import { describe, expect, it } from '@jest/globals';
import type { ResolvedTargets, Target, TargetResult } from '#lib/contracts.ts';
import { NOT_APPLICABLE_EXIT_CODE } from '#lib/manifest.ts';
import { captureOutcome } from '#lib/outcome.ts';
import { buildManifest } from '../../../functions/write-report/report.ts';
import { expectValidManifest } from '../../support/manifest-schema.ts';

const execution = { name: 'e778e4cf-checkout-cpu-high', startTime: '2026-11-26T04:00:00.000Z' };
const run = { executionName: execution.name, prefix: `runs/2026/11/26/${execution.name}/` };
const target = (id: string): Target => ({
  cluster: 'prod',
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
  container: 'app',
  script: 'jvm',
});
const capture = {
  startedAt: '2026-11-26T04:00:01.000Z',
  endedAt: '2026-11-26T04:00:03.000Z',
  durationMs: 2000,
  newlines: 'stty-onlcr-off' as const,
};

/** A stored result as run-diagnostic returns it, its status from the real rule. */
function stored(id: string, facts: Parameters<typeof captureOutcome>[0]): TargetResult {
  return {
    target: target(id),
    ...captureOutcome(facts),
    s3Key: `${run.prefix}prod/${id}/app/jvm.log`,
    bytes: 100,
    truncated: facts.truncationReason !== undefined,
    ...(facts.truncationReason === 'output-cap' || facts.truncationReason === 'deadline'
      ? { truncation: facts.truncationReason }
      : {}),
    exitCode: facts.exitCode,
    attempts: 1,
    attemptStartedAt: capture.startedAt,
    redactions: 0,
    capture,
  };
}

function manifestOf(results: unknown[], extra: Partial<ResolvedTargets> = {}) {
  const resolved: ResolvedTargets = {
    run,
    targets: results.map((result) => (result as TargetResult).target),
    skipped: [],
    maxConcurrency: 5,
    ...extra,
  };
  const { manifest } = buildManifest({ state: { resolved, results }, execution }, new Date());
  expectValidManifest(manifest);
  return manifest;
}

describe('honest outcomes', () => {
  it('a target succeeds only with exit 0, nothing cut and a clean end: the run succeeds', () => {
    const manifest = manifestOf([stored('a', { exitCode: 0 }), stored('b', { exitCode: 0 })]);

    expect(manifest.outcome).toBe('succeeded');
    expect(manifest.targets.map((t) => t.status)).toEqual(['succeeded', 'succeeded']);
    expect(manifest.targets[0]).not.toHaveProperty('partialReasons');
  });

  it.each([
    ['exit-code', { exitCode: 3 }],
    ['output-cap', { exitCode: null, truncationReason: 'output-cap' as const }],
    ['deadline', { exitCode: null, truncationReason: 'deadline' as const }],
    ['session-interrupted', { exitCode: 0, interrupted: true }],
    ['no-exit-status', { exitCode: null }],
  ])('a capture with reason %s is partial, and so is the run', (reason, facts) => {
    const manifest = manifestOf([stored('a', { exitCode: 0 }), stored('b', facts)]);

    expect(manifest.targets[1]).toMatchObject({ status: 'partial', partialReasons: [reason] });
    expect(manifest.outcome).toBe('partial');
    expect(manifest.summary.byStatus).toEqual({ succeeded: 1, partial: 1, 'not-applicable': 0, failed: 0 });
  });

  it('lists every reason that applies (a capped output whose script also failed)', () => {
    expect(captureOutcome({ exitCode: 2, truncationReason: 'output-cap' })).toEqual({
      status: 'partial',
      partialReasons: ['output-cap', 'exit-code'],
    });
  });

  it(`a script that exits ${NOT_APPLICABLE_EXIT_CODE} is not-applicable, never a success`, () => {
    const manifest = manifestOf([
      stored('a', { exitCode: 0 }),
      stored('b', { exitCode: NOT_APPLICABLE_EXIT_CODE }),
    ]);

    expect(manifest.targets[1]?.status).toBe('not-applicable');
    expect(manifest.outcome).toBe('succeeded');
  });

  it('a run where every target is not-applicable is partial: nothing was diagnosed', () => {
    const manifest = manifestOf([stored('a', { exitCode: NOT_APPLICABLE_EXIT_CODE })]);

    expect(manifest.outcome).toBe('partial');
  });

  it('all failed: the run failed', () => {
    const manifest = manifestOf([
      { target: target('a'), status: 'failed', error: { Error: 'AccessDeniedException', Cause: 'denied' } },
    ]);

    expect(manifest.outcome).toBe('failed');
    expect(manifest.targets[0]).toMatchObject({
      status: 'failed',
      error: { name: 'AccessDeniedException', message: 'denied' },
      attempts: [{ number: 1, error: { name: 'AccessDeniedException' } }],
    });
  });

  it('resolution failed: no targets, the run failed, the error kept', () => {
    const { manifest } = buildManifest(
      {
        state: { request: {}, resolveError: { Error: 'InvalidRequestError', Cause: 'cluster: is required' } },
        execution,
      },
      new Date(),
    );

    expectValidManifest(manifest);
    expect(manifest).toMatchObject({
      outcome: 'failed',
      summary: { targets: 0 },
      errors: [{ stage: 'ResolveTargets', name: 'InvalidRequestError' }],
    });
  });

  it('lists tasks left out by sampling apart from tasks skipped by preflight, with counts of each', () => {
    const leftOut = Array.from({ length: 3 }, (_, i) => ({
      cluster: 'prod',
      service: 'web',
      taskArn: target(`left-${i}`).taskArn,
      reason: 'not sampled: 1 of 4 eligible tasks diagnosed',
    }));
    const manifest = manifestOf([stored('a', { exitCode: 0 })], {
      skipped: [{ cluster: 'prod', taskArn: target('s').taskArn, reason: 'task is STOPPED, not RUNNING' }],
      leftOut: leftOut.slice(0, 2),
      leftOutCount: 3,
    });

    expect(manifest.summary).toMatchObject({ skipped: 1, leftOut: 3 });
    expect(manifest.leftOut).toEqual(leftOut.slice(0, 2));
    expect(manifest.skipped).toHaveLength(1);
  });

  it('the schema rejects what the contract forbids (the validation is not vacuous)', () => {
    const manifest = manifestOf([stored('a', { exitCode: 3 })]);
    const broken = structuredClone(manifest) as unknown as { targets: Record<string, unknown>[] };
    delete broken.targets[0]?.partialReasons;

    expect(() => expectValidManifest(broken)).toThrow();
  });
});
