import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { Target } from '#lib/contracts.ts';
import { createHandler } from '#lib/handler.ts';
import { TARGET_FACT_LIMITS } from '#lib/targets/task-facts.ts';
import { asLambdaTask } from '#local/sfn-emulator/index.ts';
import { INLINE_MAX_TARGETS, storeResolution } from '../../../functions/resolve-targets/resolution.ts';
import { runDefinition } from '../../support/state-machine.ts';

const run = { executionName: 'outage', prefix: 'runs/2026/11/26/outage/' };
const LIMIT = 64 * 1024;

function target(index: number): Target {
  return {
    cluster: 'payments-prod',
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/payments-prod/${index.toString(16).padStart(32, '0')}`,
    container: `container-with-a-long-name-${'x'.repeat(200)}`,
    script: 'basic',
    az: 'eu-west-1a',
    runtimeId: `${index.toString(16).padStart(32, '0')}-1234567890`,
    service: 'payments-api',
    // Every task fact at its bound (resolve-targets cuts longer ones): each target stays small.
    facts: Object.fromEntries(
      Object.entries(TARGET_FACT_LIMITS).map(([key, limit]) => [key, 'f'.repeat(limit)]),
    ) as Target['facts'],
  };
}

/**
 * The real handler wrapper (createHandler) around a RunDiagnostic that always fails the way a
 * cluster-wide outage does: TargetNotConnectedException, here with a 100 KB message and a deep stack.
 * asLambdaTask turns it into the Cause Lambda gives Step Functions ({errorType, errorMessage, trace}).
 */
const failing = asLambdaTask(
  createHandler(async () => {
    const deep = (depth: number): never => {
      if (depth === 0) {
        const error = new Error(`agent not connected ${'because '.repeat(12_500)}`);
        error.name = 'TargetNotConnectedException';
        throw error;
      }
      return deep(depth - 1);
    };
    return deep(50);
  }) as unknown as (input: unknown) => Promise<unknown>,
);

function largestState(events: unknown[]): number {
  let largest = 0;
  for (const event of events as Array<{ state?: { input?: unknown; output?: unknown } }>) {
    for (const value of [event.state?.input, event.state?.output]) {
      if (value !== undefined) largest = Math.max(largest, Buffer.byteLength(JSON.stringify(value)));
    }
  }
  expect(largest).toBeGreaterThan(0);
  return largest;
}

const FAST = { RunDiagnostic: 0, ResolveTargets: 0, WriteReport: 0 };

describe('state payloads when every target fails (States.DataLimitExceeded cannot be caught)', () => {
  it(`keeps an inline run of the largest inline size (${INLINE_MAX_TARGETS}) where every target fails under 64 KB`, async () => {
    const targets = Array.from({ length: INLINE_MAX_TARGETS }, (_, index) => target(index));
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    const outcome = await runDefinition(
      {},
      {
        // The real store: the inline state carries the targets without their facts (targets.jsonl has them).
        ResolveTargets: async () =>
          storeResolution(s3 as unknown as S3Client, 'bucket', {
            run,
            targets,
            skipped: [],
            maxConcurrency: 20,
          }),
        RunDiagnostic: failing as never,
        WriteReport: async () => ({
          manifestKey: `${run.prefix}manifest.json`,
          captured: 0,
          succeeded: 0,
          failed: 20,
        }),
      },
      { retryIntervalOverrides: FAST },
    );

    // Every target was tried 9 times (8 retries of TargetNotConnected) and recorded as failed.
    expect(outcome.calls.RunDiagnostic).toHaveLength(INLINE_MAX_TARGETS * 9);
    const report = outcome.calls.WriteReport[0] as {
      state: { results: Array<{ status: string; error: { Cause: string } }> };
    };
    expect(report.state.results).toHaveLength(INLINE_MAX_TARGETS);
    expect(report.state.results.every((result) => result.status === 'failed')).toBe(true);
    for (const result of report.state.results) expect(result.error.Cause.length).toBeLessThan(3 * 1024);
    expect(largestState(outcome.events)).toBeLessThan(LIMIT);
    const stored = s3
      .commandCalls(PutObjectCommand)
      .find((call) => call.args[0].input.Key?.endsWith('.jsonl'));
    expect(
      String(stored?.args[0].input.Body)
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(targets);
    s3.restore();
    expect(outcome.error?.name).toBe('NoTargetSucceeded');
  });

  it('keeps a distributed run of the largest size (1000) where every target fails under 64 KB', async () => {
    const s3 = mockClient(S3Client);
    const lines = Array.from({ length: 1000 }, (_, index) => `${JSON.stringify(target(index))}\n`).join('');
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => lines } } as never);
    s3.on(PutObjectCommand).resolves({});
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: async () => ({
          run,
          mode: 'distributed',
          targetCount: 1000,
          skippedCount: 0,
          targetsKey: `${run.prefix}targets.jsonl`,
          skippedKey: `${run.prefix}skipped.json`,
          resultsPrefix: `${run.prefix}map-results`,
          skipped: [],
          maxConcurrency: 40,
        }),
        RunDiagnostic: failing as never,
        WriteReport: async () => ({
          manifestKey: `${run.prefix}manifest.json`,
          captured: 0,
          succeeded: 0,
          failed: 1000,
        }),
      },
      { retryIntervalOverrides: FAST, s3: s3 as unknown as S3Client },
    );
    s3.restore();

    expect(outcome.mapRun?.items).toBe(1000);
    expect(outcome.calls.RunDiagnostic).toHaveLength(9000);
    expect(outcome.mapRun?.maxChildPayloadBytes).toBeLessThan(LIMIT);
    expect(largestState(outcome.events)).toBeLessThan(LIMIT);
    const report = outcome.calls.WriteReport[0] as { state: Record<string, unknown> };
    expect(report.state.results).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(report))).toBeLessThan(4 * 1024);
  }, 300_000);
});
