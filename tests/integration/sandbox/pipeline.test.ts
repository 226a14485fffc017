import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import type { TargetResult } from '#lib/contracts.ts';
import { DEMO_FAULTS, NAMED_FAULTS, resolveFaults } from '#local/pipeline.ts';
import { collectOutcome, publishedFor } from '#local/run-report.ts';
import { useSandbox } from '../../support/sandbox-runs.ts';

const EVENT = join(process.cwd(), 'events', 'eventbridge-alarm-ecs-cpu-single-metric.json');

describe('local sandbox pipeline (end to end)', () => {
  const ctx = useSandbox();

  async function expectOutputsStored(executionName: string, results: TargetResult[]): Promise<void> {
    for (const result of results.filter((r) => r.status === 'succeeded')) {
      const head = await ctx.s3.send(
        new HeadObjectCommand({ Bucket: ctx.sandbox.bucket, Key: result.s3Key ?? '' }),
      );
      expect(head.ContentLength).toBe(result.bytes);
      expect(result.s3Key).toContain(`/${executionName}/`);
    }
  }

  it('takes the sample alarm through start-run to a final status with the manifest and outputs in S3', async () => {
    const event = JSON.parse(readFileSync(EVENT, 'utf8'));

    const started = (await ctx.sandbox.invoke('start-run', event)) as {
      runs: Array<{ outcome: string; executionArn?: string; executionName?: string }>;
    };
    const run = started.runs[0];
    expect(run?.outcome).toBe('started');
    const described = await ctx.finalStatus(run?.executionArn ?? '');
    const name = described.name ?? '';
    const outcome = collectOutcome(ctx.sandbox.journal, name);
    const keys = await ctx.keysOf(name);

    expect(described.error ?? null).toBeNull();
    expect(described.status).toBe('SUCCEEDED');
    expect(outcome.results.map((r) => [r.target.container, r.status])).toEqual([
      ['checkout', 'succeeded'],
      ['checkout', 'succeeded'],
    ]);
    expect(outcome.skipped).toHaveLength(1);
    expect(outcome.skipped[0]?.reason).toMatch(/ExecuteCommandAgent/);
    await expectOutputsStored(name, outcome.results);
    expect(keys.some((key) => key.endsWith('/manifest.json'))).toBe(true);
    const document = await ctx.manifestOf(name);
    expect(document.executionName).toBe(name);
    expect(document.outcome).toBe('succeeded');
    expect(document.summary).toMatchObject({
      targets: 2,
      byStatus: { succeeded: 2, partial: 0, 'not-applicable': 0, failed: 0 },
      skipped: 1,
    });
    expect(document.targets.map((target) => target.s3Key).sort()).toEqual(
      outcome.results.map((result) => result.s3Key).sort(),
    );
    expect(document.alarm).toMatchObject({
      name: 'payments-prod-checkout-api-cpu-high',
      threshold: 85,
      state: { value: 'ALARM', reason: expect.stringMatching(/^Threshold Crossed/) },
      previousState: { value: 'OK' },
    });
    for (const target of document.targets) {
      expect(target.capture).toMatchObject({ newlines: 'stty-onlcr-off', durationMs: expect.any(Number) });
      expect(target.task).toMatchObject({
        taskDefinition: expect.stringMatching(/:\d+$/),
        launchType: expect.any(String),
        image: expect.any(String),
      });
      expect(target.attempts).toEqual([{ number: 1, startedAt: expect.any(String) }]);
    }
    // The task and capture facts travel through S3 (attempts/<target>/facts.json), not in the state.
    const report = ctx.sandbox.journal.find(
      (entry) => entry.executionName === name && entry.state === 'WriteReport',
    );
    if (report === undefined) throw new Error('WriteReport did not run');
    const inState = (report.input as { state: { results: TargetResult[] } }).state.results;
    for (const result of inState) {
      expect(result).not.toHaveProperty('task');
      expect(result).not.toHaveProperty('capture');
      expect(JSON.stringify(result).length).toBeLessThan(800);
    }
    const published = publishedFor(ctx.sandbox.eventbridge.events, ctx.sandbox.sns.messages, name);
    expect(published.events).toHaveLength(1);
    expect(published.events[0]?.detail).toMatchObject({
      outcome: 'succeeded',
      manifestWritten: true,
      counts: { succeeded: 2, skipped: 1 },
      alarm: { name: 'payments-prod-checkout-api-cpu-high' },
      cluster: 'payments-prod',
      service: 'checkout-api',
    });
    expect(published.notifications).toHaveLength(1);
    expect(published.notifications[0]?.message).toMatchObject({ version: '1.0', source: 'custom', id: name });
  });

  it('retries TargetNotConnected and an interrupted session, and survives duplicated, reordered messages', async () => {
    ctx.sandbox.ecs.setFaults({ ...DEMO_FAULTS.ecs, sessionFaults: DEMO_FAULTS.session });
    const request = {
      cluster: 'payments-prod',
      service: 'checkout-api',
      script: 'basic',
      maxTasks: 2,
      reason: 'end-to-end test with faults',
      source: { type: 'manual' },
    };

    const started = await ctx.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: ctx.sandbox.stateMachineArn,
        name: 'e2e-faults',
        input: JSON.stringify(request),
      }),
    );
    const described = await ctx.finalStatus(started.executionArn ?? '');
    ctx.sandbox.ecs.setFaults({});
    const outcome = collectOutcome(ctx.sandbox.journal, 'e2e-faults');

    expect(described.error ?? null).toBeNull();
    expect(described.status).toBe('SUCCEEDED');
    expect(outcome.results).toHaveLength(2);
    for (const result of outcome.results) {
      expect(result.status).toBe('succeeded');
      expect(
        outcome.calls.get(`${result.target.taskArn}|${result.target.container}|${result.target.script}`),
      ).toBe((DEMO_FAULTS.ecs.targetNotConnectedAttempts ?? 0) + 2);
    }
    const violating = ctx.sandbox.ecs.executions
      .map((execution) => ctx.sandbox.agent.report(execution.sessionId))
      .filter((report) => report.violations.length > 0);
    expect(violating).toEqual([]);
    await expectOutputsStored('e2e-faults', outcome.results);
    const manifest = await ctx.manifestOf('e2e-faults');
    const tries = (DEMO_FAULTS.ecs.targetNotConnectedAttempts ?? 0) + 2;
    for (const target of manifest.targets) {
      expect(target.attempts).toHaveLength(tries);
      expect(target.attempts.map((attempt) => attempt.error?.name)).toEqual([
        ...Array.from({ length: tries - 2 }, () => 'TargetNotConnectedException'),
        'SessionInterruptedError',
        undefined,
      ]);
      for (const attempt of target.attempts.slice(0, -1)) {
        expect(attempt.delayBeforeNextMs).toBeGreaterThanOrEqual(0);
        expect(Date.parse(attempt.startedAt ?? '')).not.toBeNaN();
      }
    }
  });

  async function runWithFaults(names: string[], executionName: string) {
    ctx.sandbox.setFaults(resolveFaults(names));
    try {
      const started = await ctx.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: ctx.sandbox.stateMachineArn,
          name: executionName,
          input: JSON.stringify({
            cluster: 'payments-prod',
            service: 'checkout-api',
            script: 'basic',
            maxTasks: 1,
            reason: `end-to-end test with ${names.join(',')}`,
            source: { type: 'manual' },
          }),
        }),
      );
      const described = await ctx.finalStatus(started.executionArn ?? '');
      const attempts = new Map(ctx.sandbox.ecs.attempts);
      return { described, attempts, outcome: collectOutcome(ctx.sandbox.journal, executionName) };
    } finally {
      ctx.sandbox.setFaults(resolveFaults([]));
    }
  }

  it('tnc-forever: every attempt is TargetNotConnected, the retries run out, the run fails with the target recorded', async () => {
    const { described, outcome } = await runWithFaults(['tnc-forever'], 'e2e-tnc-forever');

    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('NoTargetSucceeded');
    expect(outcome.results).toHaveLength(1);
    const [result] = outcome.results;
    expect(result?.status).toBe('failed');
    expect(outcome.failures.map((failure) => failure.name)).toEqual(
      Array(9).fill('TargetNotConnectedException'),
    );
    // The definition's 8 retries: 9 calls in all.
    expect(outcome.calls.get(`${result?.target.taskArn}|${result?.target.container}|basic`)).toBe(9);
    const keys = await ctx.keysOf('e2e-tnc-forever');
    // No output was captured: the manifest, the report, the attempt records and the readiness findings only.
    expect(keys.filter((key) => key.endsWith('.log'))).toEqual([]);
    expect(keys).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/manifest\.json$/),
        expect.stringMatching(/\/report\.html$/),
      ]),
    );
  });

  it('ecs-throttling: ExecuteCommand ThrottlingException is retried and the run succeeds', async () => {
    const { described, attempts, outcome } = await runWithFaults(['ecs-throttling'], 'e2e-throttling');
    const taskId = outcome.results[0]?.target.taskArn.split('/').pop() ?? '';

    expect(described.status).toBe('SUCCEEDED');
    expect(outcome.results.map((result) => result.status)).toEqual(['succeeded']);
    // The SDK's own retries absorb the throttling (as on AWS): 2 refused ExecuteCommand calls, then one accepted.
    expect(attempts.get(taskId)).toBe((NAMED_FAULTS['ecs-throttling']?.ecs?.throttleAttempts ?? 0) + 1);
    await expectOutputsStored('e2e-throttling', outcome.results);
  });

  it('refuses an unknown fault name, naming the known ones', () => {
    expect(() => resolveFaults(['tnc-forevr'])).toThrow(
      /unknown fault "tnc-forevr"; known: demo, tnc-forever/,
    );
  });
});
