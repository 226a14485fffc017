import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { jest } from '@jest/globals';
import aslValidator from 'asl-validator';
import { mockClient } from 'aws-sdk-client-mock';
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
    for (const field of ['QueryLanguage', '"Arguments"', '"Output"', '"Assign"']) {
      expect(text).not.toContain(field);
    }
  });

  it('gives both map modes the same RunDiagnostic task, retries and catch, and bounds the Distributed Map', () => {
    const states = loadDefinition().States as unknown as Record<string, Record<string, unknown>>;
    const inline = states.RunTargets as {
      ItemProcessor: { States: Record<string, Record<string, unknown>> };
    };
    const distributed = states.RunTargetsDistributed as Record<string, unknown> & {
      ItemProcessor: { ProcessorConfig: unknown; States: Record<string, Record<string, unknown>> };
    };
    const { Comment: _c1, ...inlineTask } = inline.ItemProcessor.States.RunDiagnostic ?? {};
    const { Comment: _c2, ...childTask } = distributed.ItemProcessor.States.RunDiagnosticDistributed ?? {};
    expect({ ...childTask, Catch: [] }).toEqual({ ...inlineTask, Catch: [] });
    // The same catchers as the inline Map's, pointing at the child's own states (names are unique per definition).
    expect(childTask.Catch).toEqual(
      (inlineTask.Catch as Array<{ Next: string }>).map((catcher) => ({
        ...catcher,
        Next: `${catcher.Next}Distributed`,
      })),
    );
    const { Comment: _c3, ...inlineCheck } = inline.ItemProcessor.States.CheckReadiness ?? {};
    const { Comment: _c4, ...childCheck } = distributed.ItemProcessor.States.CheckReadinessDistributed ?? {};
    expect({ ...childCheck, Catch: [], Next: '' }).toEqual({ ...inlineCheck, Catch: [], Next: '' });
    expect(distributed.ItemProcessor.States.RecordTargetFailureDistributed?.Parameters).toEqual(
      inline.ItemProcessor.States.RecordTargetFailure?.Parameters,
    );
    expect(distributed.ItemProcessor.ProcessorConfig).toEqual({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'STANDARD',
    });
    expect(distributed).toMatchObject({
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL', MaxItems: 1000 },
        Parameters: { Bucket: 'test-output-bucket', 'Key.$': '$.resolved.targetsKey' },
      },
      ResultWriter: {
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: 'test-output-bucket', 'Prefix.$': '$.resolved.resultsPrefix' },
      },
      ToleratedFailurePercentage: 100,
      MaxConcurrencyPath: '$.resolved.maxConcurrency',
      ResultPath: '$.mapRun',
      Next: 'WriteReport',
    });
    expect(states.ChooseMapMode?.Choices).toEqual([
      {
        And: [
          { Variable: '$.resolved.mode', IsPresent: true },
          { Variable: '$.resolved.mode', StringEquals: 'distributed' },
        ],
        Next: 'RunTargetsDistributed',
      },
    ]);
    expect(states.ChooseMapMode?.Default).toBe('RunTargets');
  });

  it('runs a distributed run from targets.jsonl to ResultWriter files; one failing child keeps the others, the state stays small', async () => {
    const s3 = mockClient(S3Client);
    const ids = Array.from({ length: 300 }, (_, index) => `task-${index}`);
    const lines = ids.map((id) => `${JSON.stringify(target(id))}\n`).join('');
    s3.on(GetObjectCommand, { Bucket: 'test-output-bucket', Key: `${run.prefix}targets.jsonl` }).callsFake(
      () => ({
        Body: { transformToString: async () => lines },
      }),
    );
    const written = new Map<string, string>();
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
      written.set(input.Key, input.Body);
      return {};
    });
    let running = 0;
    let widest = 0;
    const outcome = await runDefinition(
      {},
      {
        ResolveTargets: async () => ({
          run,
          mode: 'distributed',
          targetCount: ids.length,
          skippedCount: 0,
          targetsKey: `${run.prefix}targets.jsonl`,
          skippedKey: `${run.prefix}skipped.json`,
          resultsPrefix: `${run.prefix}map-results`,
          skipped: [],
          maxConcurrency: 7,
        }),
        RunDiagnostic: async (input: { target: Target; retryCount: number }) => {
          running += 1;
          widest = Math.max(widest, running);
          await new Promise((resolve) => setTimeout(resolve, 1));
          running -= 1;
          if (input.target.taskArn.endsWith('/task-17'))
            throw namedError('AccessDeniedException', 'denied '.repeat(5000));
          return succeeded(input);
        },
        WriteReport: async () => ({
          manifestKey: `${run.prefix}manifest.json`,
          captured: 299,
          succeeded: 299,
          failed: 1,
        }),
      },
      { retryIntervalOverrides: FAST_RETRIES, s3: s3 as unknown as S3Client },
    );
    s3.restore();

    expect(outcome.status).toBe('SUCCEEDED');
    expect(outcome.calls.RunDiagnostic).toHaveLength(300);
    expect(widest).toBeLessThanOrEqual(7);
    expect(outcome.mapRun).toMatchObject({ items: 300, maxRunning: 7 });
    const report = outcome.calls.WriteReport[0] as { state: Record<string, unknown> };
    expect(report.state.results).toBeUndefined();
    const mapRun = report.state.mapRun as {
      MapRunArn: string;
      ResultWriterDetails: { Bucket: string; Key: string };
    };
    expect(mapRun.ResultWriterDetails.Bucket).toBe('test-output-bucket');
    expect(mapRun.ResultWriterDetails.Key).toMatch(
      /^runs\/2026\/11\/26\/test-execution\/map-results\/[0-9a-f-]{36}\/manifest\.json$/,
    );
    const manifest = JSON.parse(written.get(mapRun.ResultWriterDetails.Key) ?? '{}');
    expect(manifest.MapRunArn).toBe(mapRun.MapRunArn);
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    const succeededFile = manifest.ResultFiles.SUCCEEDED[0].Key as string;
    const children = JSON.parse(written.get(succeededFile) ?? '[]') as Array<{
      Output: string;
      Status: string;
    }>;
    expect(children).toHaveLength(300);
    const outputs = children.map((child) => JSON.parse(child.Output) as TargetResult);
    expect(outputs.filter((result) => result.status === 'succeeded')).toHaveLength(299);
    expect(outputs.find((result) => result.status === 'failed')?.target.taskArn).toMatch(/task-17$/);
    for (const event of outcome.events) {
      if ('state' in event) expect(JSON.stringify(event.state).length).toBeLessThan(8 * 1024);
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

  it.each([
    'AccessDeniedException',
    'InvalidParameterException',
    'ClusterNotFoundException',
    'Error',
    'Sandbox.Timedout',
    'States.Timeout',
  ])('does not retry the permanent error %s', async (errorName) => {
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
  });

  it.each([
    ['ThrottlingException', 5],
    ['ServerException', 5],
    ['Lambda.TooManyRequestsException', 5],
    ['SessionInterruptedError', 2],
    ['OutputNotStoredError', 2],
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
