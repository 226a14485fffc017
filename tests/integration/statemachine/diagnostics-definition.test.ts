import { jest } from '@jest/globals';
import aslValidator from 'asl-validator';
import type { Target, TargetResult } from '#lib/contracts.ts';
import { capturedCount, countByStatus } from '#lib/outcome.ts';
import { loadDefinition, runDefinition } from '../../support/state-machine.ts';

function target(id: string): Target {
  return {
    cluster: 'demo',
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/demo/${id}`,
    container: 'app',
    script: 'basic',
  };
}

const run = { executionName: 'test-execution', prefix: 'runs/2026/11/26/test-execution/' };

function resolved(...ids: string[]) {
  return async () => ({ run, targets: ids.map(target), skipped: [], maxConcurrency: 2 });
}

function succeeded(input: { target: Target; retryCount: number }): TargetResult {
  return {
    target: input.target,
    status: 'succeeded',
    s3Key: `${run.prefix}${input.target.taskArn.split('/').pop()}.log`,
    bytes: 10,
    truncated: false,
    exitCode: 0,
    attempts: input.retryCount + 1,
  };
}

function namedError(name: string, message = `${name} from the test handler`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** A WriteReport stand-in that counts outcomes the way write-report does (lib/outcome.ts). */
async function countingReport(input: { state: { results?: TargetResult[]; reportError?: unknown } }) {
  const results = input.state.results ?? [];
  const byStatus = countByStatus(
    results.map((result) => (result.status === 'skipped' ? 'failed' : result.status)),
  );
  return {
    manifestKey: `${run.prefix}manifest.json`,
    manifestWritten: input.state.reportError === undefined,
    captured: capturedCount(byStatus),
    succeeded: byStatus.succeeded,
    failed: byStatus.failed,
  };
}

const FAST_RETRIES = { RunDiagnostic: 1, ResolveTargets: 1, WriteReport: 1, CheckReadiness: 1 };

describe('statemachines/diagnostics.asl.json', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('is a valid Amazon States Language definition', () => {
    const { isValid, errorsText } = aslValidator(structuredClone(loadDefinition()) as never);
    expect(errorsText()).toBe('');
    expect(isValid).toBe(true);
  });

  it('uses JSONPath only (the local interpreter ignores JSONata)', () => {
    const text = JSON.stringify(loadDefinition());
    for (const field of ['QueryLanguage', '"Arguments"', '"Output"', '"Assign"', 'ItemReader']) {
      expect(text).not.toContain(field);
    }
  });

  it('retries TargetNotConnectedException with growing, capped delays, then succeeds', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    const callTimes: number[] = [];
    const failuresBeforeSuccess = 6;
    const running = runDefinition(
      {},
      {
        ResolveTargets: resolved('t1'),
        RunDiagnostic: async (input: { target: Target; retryCount: number }) => {
          callTimes.push(Date.now());
          if (input.retryCount < failuresBeforeSuccess) throw namedError('TargetNotConnectedException');
          return succeeded(input);
        },
        WriteReport: countingReport,
      },
    );
    let settled = false;
    running.finally(() => {
      settled = true;
    });
    for (let step = 0; step < 2000 && !settled; step += 1) await jest.advanceTimersByTimeAsync(1000);
    const outcome = await running;

    expect(outcome.status).toBe('SUCCEEDED');
    const delays = callTimes
      .slice(1)
      .map((time, index) => Math.round((time - (callTimes[index] ?? 0)) / 1000));
    // IntervalSeconds 10, BackoffRate 2, MaxDelaySeconds 90 (full jitter drawn at its upper bound here).
    expect(delays).toEqual([10, 20, 40, 80, 90, 90]);
    const result = (outcome.calls.WriteReport[0] as { state: { results: TargetResult[] } }).state.results[0];
    expect(result).toMatchObject({ status: 'succeeded', attempts: failuresBeforeSuccess + 1 });
  });

  it('records a target whose retries are exhausted while the other targets succeed', async () => {
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('t1', 't2', 't3'),
        RunDiagnostic: async (input: { target: Target; retryCount: number }) => {
          if (input.target.taskArn.endsWith('/t2')) throw namedError('TargetNotConnectedException');
          return succeeded(input);
        },
        WriteReport: countingReport,
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    expect(outcome.status).toBe('SUCCEEDED');
    const t2Attempts = outcome.calls.RunDiagnostic.filter((call) =>
      (call as { target: Target }).target.taskArn.endsWith('/t2'),
    );
    expect(t2Attempts).toHaveLength(9);
    const report = outcome.calls.WriteReport[0] as { state: { results: TargetResult[] } };
    expect(report.state.results.map((result) => result.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(report.state.results[1]).toMatchObject({
      status: 'failed',
      target: target('t2'),
      error: { Error: 'TargetNotConnectedException' },
    });
    expect(outcome.output).toMatchObject({ succeeded: 2, failed: 1 });
  });

  it.each(['AccessDeniedException', 'InvalidParameterException', 'ClusterNotFoundException', 'Error'])(
    'does not retry the permanent error %s',
    async (errorName) => {
      const outcome = await runDefinition(
        {},
        {
          ResolveTargets: resolved('t1', 't2'),
          RunDiagnostic: async (input: { target: Target; retryCount: number }) => {
            if (input.target.taskArn.endsWith('/t1')) throw namedError(errorName);
            return succeeded(input);
          },
          WriteReport: countingReport,
        },
        { retryIntervalOverrides: FAST_RETRIES },
      );

      const t1Calls = outcome.calls.RunDiagnostic.filter((call) =>
        (call as { target: Target }).target.taskArn.endsWith('/t1'),
      );
      expect(t1Calls).toHaveLength(1);
      expect(outcome.output).toMatchObject({ succeeded: 1, failed: 1 });
    },
  );

  it.each([
    ['ThrottlingException', 5],
    ['ServerException', 5],
    ['Lambda.TooManyRequestsException', 5],
    ['SessionInterruptedError', 2],
  ])('retries the transient error %s a bounded number of times', async (errorName, expectedCalls) => {
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('t1'),
        RunDiagnostic: async () => {
          throw namedError(errorName);
        },
        WriteReport: countingReport,
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    expect(outcome.calls.RunDiagnostic).toHaveLength(expectedCalls);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error?.name).toBe('NoTargetSucceeded');
  });

  it('still reaches WriteReport when ResolveTargets fails, and then fails the execution', async () => {
    const outcome = await runDefinition(
      { cluster: 'demo', script: 'rm -rf /' },
      {
        ResolveTargets: async () => {
          throw namedError('InvalidRequestError', 'script: "rm -rf /" is not a catalog script');
        },
        RunDiagnostic: succeeded,
        WriteReport: countingReport,
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    expect(outcome.calls.ResolveTargets).toHaveLength(1);
    expect(outcome.calls.RunDiagnostic).toHaveLength(0);
    expect(outcome.calls.WriteReport).toHaveLength(1);
    expect(outcome.calls.WriteReport[0]).toMatchObject({
      state: {
        request: { cluster: 'demo', script: 'rm -rf /' },
        resolveError: { Error: 'InvalidRequestError' },
      },
      execution: { name: 'test-execution', startTime: expect.any(String) },
    });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error?.name).toBe('NoTargetSucceeded');
  });

  it('passes WriteReport a state that holds keys and statuses only, whatever the outputs weigh', async () => {
    const bigOutput = 'x'.repeat(5_000_000);
    const ids = Array.from({ length: 40 }, (_, index) => `task-${index}`);
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved(...ids),
        RunDiagnostic: async (input: { target: Target; retryCount: number }) => {
          expect(bigOutput.length).toBeGreaterThan(0);
          return succeeded(input);
        },
        WriteReport: countingReport,
      },
    );

    expect(outcome.status).toBe('SUCCEEDED');
    for (const event of outcome.events) {
      if ('state' in event) expect(JSON.stringify(event.state).length).toBeLessThan(32 * 1024);
    }
    expect(JSON.stringify(outcome.calls.WriteReport[0]).length).toBeLessThan(32 * 1024);
  });

  it('runs targets in parallel no wider than the requested concurrency', async () => {
    let running = 0;
    let widest = 0;
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('a', 'b', 'c', 'd', 'e'),
        RunDiagnostic: async (input: { target: Target; retryCount: number }) => {
          running += 1;
          widest = Math.max(widest, running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          running -= 1;
          return succeeded(input);
        },
        WriteReport: countingReport,
      },
    );

    expect(outcome.status).toBe('SUCCEEDED');
    expect(widest).toBe(2);
  });

  it.each([
    ['partial', { status: 'partial', partialReasons: ['exit-code'], exitCode: 3 }],
    ['not-applicable', { status: 'not-applicable', exitCode: 97 }],
  ])('ends in Succeed when every target is %s: an output was captured', async (_, fields) => {
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('a', 'b'),
        RunDiagnostic: async (input: { target: Target; retryCount: number }) => ({
          ...succeeded(input),
          ...fields,
        }),
        WriteReport: countingReport,
      },
    );

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.output).toMatchObject({ captured: 2, succeeded: 0 });
  });

  it('retries WriteReport on ReportStoreUnavailableError (S3 transient) and then succeeds', async () => {
    let calls = 0;
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('a'),
        RunDiagnostic: succeeded,
        WriteReport: async (input: { state: { results?: TargetResult[] } }) => {
          calls += 1;
          if (calls <= 2) throw namedError('ReportStoreUnavailableError', 'SlowDown');
          return countingReport(input);
        },
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    expect(outcome.calls.WriteReport).toHaveLength(3);
    expect(outcome.calls.ReportNotWritten).toHaveLength(0);
    expect(outcome.status).toBe('SUCCEEDED');
  });

  it('on a permanent WriteReport failure still runs ReportNotWritten with the error, then fails', async () => {
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('a'),
        RunDiagnostic: succeeded,
        WriteReport: async () => {
          throw namedError('ManifestWriteError', 'AccessDenied');
        },
        ReportNotWritten: countingReport,
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    expect(outcome.calls.WriteReport).toHaveLength(1);
    expect(outcome.calls.ReportNotWritten).toHaveLength(1);
    expect(outcome.calls.ReportNotWritten[0]).toMatchObject({
      state: { results: [{ status: 'succeeded' }], reportError: { Error: 'ManifestWriteError' } },
      execution: { name: 'test-execution' },
    });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error?.name).toBe('ManifestNotWritten');
  });

  it('ends in ManifestNotWritten even when the notification step fails too', async () => {
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('a'),
        RunDiagnostic: succeeded,
        WriteReport: async () => {
          throw namedError('ManifestWriteError', 'AccessDenied');
        },
        ReportNotWritten: async () => {
          throw namedError('Error', 'the notification failed too');
        },
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    expect(outcome.status).toBe('FAILED');
    expect(outcome.error?.name).toBe('ManifestNotWritten');
  });

  it.each(['TargetNotConnectedException', 'AccessDeniedException'])(
    'runs CheckReadiness once when %s ends a target, and records its findings with the failure',
    async (errorName) => {
      const findings = { checks: [{ id: 'role.ssmmessages', title: 't', status: 'fail' }], key: 'k' };
      const outcome = await runDefinition(
        {},
        {
          ResolveTargets: resolved('t1', 't2'),
          RunDiagnostic: async (input: { target: Target; retryCount: number }) => {
            if (input.target.taskArn.endsWith('/t1')) throw namedError(errorName);
            return succeeded(input);
          },
          CheckReadiness: async () => findings,
          WriteReport: countingReport,
        },
        { retryIntervalOverrides: FAST_RETRIES },
      );

      expect(outcome.calls.CheckReadiness).toHaveLength(1);
      expect(outcome.calls.CheckReadiness[0]).toMatchObject({
        target: target('t1'),
        error: { Error: errorName },
      });
      const report = outcome.calls.WriteReport[0] as { state: { results: unknown[] } };
      expect(report.state.results[0]).toMatchObject({
        status: 'failed',
        error: { Error: errorName },
        readiness: findings,
      });
      expect(report.state.results[1]).not.toHaveProperty('readiness');
    },
  );

  it('records the target even when CheckReadiness itself fails', async () => {
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('t1'),
        RunDiagnostic: async () => {
          throw namedError('AccessDeniedException');
        },
        CheckReadiness: async () => {
          throw namedError('Error', 'boom');
        },
        WriteReport: countingReport,
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    const report = outcome.calls.WriteReport[0] as { state: { results: unknown[] } };
    expect(report.state.results[0]).toMatchObject({
      status: 'failed',
      error: { Error: 'AccessDeniedException' },
      readiness: { Error: 'Error' },
    });
  });

  it('does not run CheckReadiness for other errors', async () => {
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: resolved('t1'),
        RunDiagnostic: async () => {
          throw namedError('InvalidParameterException');
        },
        CheckReadiness: async () => ({ checks: [], key: 'k' }),
        WriteReport: countingReport,
      },
      { retryIntervalOverrides: FAST_RETRIES },
    );

    expect(outcome.calls.CheckReadiness).toHaveLength(0);
  });
});
