import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from '@jest/globals';
import { NAMED_FAULTS, resolveFaults } from '#local/pipeline.ts';
import { collectOutcome, publishedFor } from '#local/run-report.ts';
import { useSandbox } from '../../support/sandbox-runs.ts';

/** What MULTIPART_STAND_IN prints: more than one 5 MiB part. */
const MULTIPART_BYTES = 6 * 1024 * 1024;

/**
 * The named fault switches of `npm start -- --faults NAME`, each run end to end: the real definition, the real
 * handlers, the ECS emulator, the agent emulator over a real websocket and the local S3 server.
 */
describe('sandbox fault switches (end to end)', () => {
  const ctx = useSandbox();

  /** One target (maxTasks 1) of `script` with the named faults on; the S3 counts are read before they reset. */
  async function runWithFaults(names: string[], executionName: string, script = 'basic') {
    ctx.sandbox.setFaults(resolveFaults(names));
    const firstSession = ctx.sandbox.ecs.executions.length;
    try {
      const started = await ctx.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: ctx.sandbox.stateMachineArn,
          name: executionName,
          input: JSON.stringify({
            cluster: 'payments-prod',
            service: 'checkout-api',
            script,
            maxTasks: 1,
            reason: `end-to-end test with ${names.join(',')}`,
            source: { type: 'manual' },
          }),
        }),
      );
      const described = await ctx.finalStatus(started.executionArn ?? '');
      const outcome = collectOutcome(ctx.sandbox.journal, executionName);
      const [result] = outcome.results;
      if (result === undefined) throw new Error(`${executionName} has no target result`);
      return {
        described,
        outcome,
        result,
        calls: outcome.calls.get(`${result.target.taskArn}|${result.target.container}|${script}`),
        s3Operations: new Map(ctx.sandbox.s3.operations),
        s3Injected: new Map(ctx.sandbox.s3.injected),
        sessions: ctx.sandbox.ecs.executions
          .slice(firstSession)
          .map((e) => ctx.sandbox.agent.report(e.sessionId)),
        manifest: await ctx.manifestOf(executionName),
        keys: await ctx.keysOf(executionName),
        published: publishedFor(ctx.sandbox.eventbridge.events, ctx.sandbox.sns.messages, executionName),
      };
    } finally {
      ctx.sandbox.setFaults(resolveFaults([]));
    }
  }

  it('lists every fault with a one-line description', () => {
    for (const [name, fault] of Object.entries(NAMED_FAULTS)) {
      expect(name).toMatch(/^[a-z0-9-]+$/);
      expect(fault.description).toMatch(/^\S[^\n]{20,220}$/);
    }
    expect(Object.keys(NAMED_FAULTS)).toEqual(
      expect.arrayContaining([
        's3-part-5xx',
        's3-part-5xx-forever',
        's3-complete-5xx',
        's3-complete-5xx-forever',
        'slow-agent',
        'slow-agent-past-deadline',
        'agent-never-closes',
        'lambda-timeout',
      ]),
    );
  });

  it('s3-part-5xx: the refused part is retried by the SDK and the whole output is stored', async () => {
    const run = await runWithFaults(['s3-part-5xx'], 'e2e-s3-part-5xx', 'cpu');

    expect(run.described.status).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ status: 'succeeded', bytes: MULTIPART_BYTES, exitCode: 0 });
    expect(run.calls).toBe(1);
    expect(run.s3Injected.get('UploadPart')).toBe(1);
    // Two parts, the first sent twice; one completion, no abort.
    expect(run.s3Operations.get('UploadPart')).toBe(3);
    expect(run.s3Operations.get('CompleteMultipartUpload')).toBe(1);
    expect(run.s3Operations.get('AbortMultipartUpload')).toBeUndefined();
    const head = await ctx.s3.send(
      new HeadObjectCommand({ Bucket: ctx.sandbox.bucket, Key: run.result.s3Key ?? '' }),
    );
    expect(head.ContentLength).toBe(MULTIPART_BYTES);
    expect(head.Metadata).toMatchObject({ 'exit-code': '0', bytes: String(MULTIPART_BYTES) });
    expect(run.manifest.targets[0]).toMatchObject({ status: 'succeeded', s3Key: run.result.s3Key });
  });

  it.each([
    ['s3-part-5xx-forever', 'UploadPart'],
    ['s3-complete-5xx-forever', 'CompleteMultipartUpload'],
  ] as const)(
    '%s: the upload is aborted, no object is left, the target fails OutputNotStoredError (retried once)',
    async (fault, operation) => {
      const run = await runWithFaults([fault], `e2e-${fault}`, 'cpu');

      expect(run.described.status).toBe('FAILED');
      expect(run.described.error).toBe('NoTargetSucceeded');
      expect(run.result.status).toBe('failed');
      // The definition retries OutputNotStoredError once: two runs of the script, two aborted uploads.
      expect(run.calls).toBe(2);
      expect(run.outcome.failures.map((failure) => failure.name)).toEqual([
        'OutputNotStoredError',
        'OutputNotStoredError',
      ]);
      expect(run.s3Operations.get('CreateMultipartUpload')).toBe(2);
      expect(run.s3Operations.get('AbortMultipartUpload')).toBe(2);
      expect(run.s3Injected.get(operation)).toBeGreaterThanOrEqual(2);
      expect(run.keys.filter((key) => key.endsWith('.log'))).toEqual([]);
      const [target] = run.manifest.targets;
      expect(target?.s3Key).toBeUndefined();
      expect(target?.error).toMatchObject({
        name: 'OutputNotStoredError',
        message: expect.stringMatching(/InternalError.*the upload was aborted, so no partial object is left/),
      });
      expect(target?.attempts.map((attempt) => attempt.error?.name)).toEqual([
        'OutputNotStoredError',
        'OutputNotStoredError',
      ]);
      expect(run.manifest.outcome).toBe('failed');
      expect(run.keys).toEqual(expect.arrayContaining([expect.stringMatching(/\/report\.html$/)]));
      expect(run.published.events.map((event) => event.detail)).toEqual([
        expect.objectContaining({ outcome: 'failed', manifestWritten: true }),
      ]);
    },
  );

  it('s3-complete-5xx: a CompleteMultipartUpload answered 200 with an error document is retried by the SDK', async () => {
    const run = await runWithFaults(['s3-complete-5xx'], 'e2e-s3-complete-5xx', 'cpu');

    expect(run.described.status).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ status: 'succeeded', bytes: MULTIPART_BYTES });
    expect(run.calls).toBe(1);
    expect(run.s3Injected.get('CompleteMultipartUpload')).toBe(1);
    expect(run.s3Operations.get('CompleteMultipartUpload')).toBe(2);
    expect(run.s3Operations.get('AbortMultipartUpload')).toBeUndefined();
    const head = await ctx.s3.send(
      new HeadObjectCommand({ Bucket: ctx.sandbox.bucket, Key: run.result.s3Key ?? '' }),
    );
    expect(head.ContentLength).toBe(MULTIPART_BYTES);
  });

  it('slow-agent: the capture waits for the late start and succeeds', async () => {
    const run = await runWithFaults(['slow-agent'], 'e2e-slow-agent');
    const delay = NAMED_FAULTS['slow-agent']?.ecs?.sessionFaults?.startDelayMs ?? 0;

    expect(run.described.status).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({ status: 'succeeded', exitCode: 0, attempts: 1 });
    expect(run.sessions.map((session) => [session.state, session.violations])).toEqual([['closed', []]]);
    // The agent held the command back for `delay` after the channel opened: the capture lasted at least that.
    expect(run.manifest.targets[0]?.capture?.durationMs).toBeGreaterThanOrEqual(delay);
  });

  it('slow-agent-past-deadline: the deadline comes before any output, and the target fails SessionNoOutputError', async () => {
    const run = await runWithFaults(['slow-agent-past-deadline'], 'e2e-slow-agent-past-deadline');

    expect(run.described.status).toBe('FAILED');
    expect(run.described.error).toBe('NoTargetSucceeded');
    expect(run.calls).toBe(1);
    expect(run.outcome.failures.map((failure) => failure.name)).toEqual(['SessionNoOutputError']);
    // The client terminated the session at its deadline, before the agent started the command.
    expect(run.sessions.map((session) => [session.state, session.outputBytes])).toEqual([['terminated', 0]]);
    expect(run.keys.filter((key) => key.endsWith('.log'))).toEqual([]);
    expect(run.manifest.targets[0]).toMatchObject({
      status: 'failed',
      error: { name: 'SessionNoOutputError', message: expect.stringMatching(/without a byte of output/) },
    });
  });

  it('agent-never-closes: the deadline ends the capture, partial with reason deadline, and the output is kept', async () => {
    const run = await runWithFaults(['agent-never-closes'], 'e2e-agent-never-closes');

    // A partial target captured an output: the run succeeds, and says partial.
    expect(run.described.status).toBe('SUCCEEDED');
    expect(run.result).toMatchObject({
      status: 'partial',
      partialReasons: ['deadline'],
      truncation: 'deadline',
      exitCode: 0,
      attempts: 1,
    });
    expect(run.calls).toBe(1);
    // The client terminated the session (TerminateSession) at its deadline.
    expect(run.sessions.map((session) => session.state)).toEqual(['terminated']);
    const object = await ctx.s3.send(
      new GetObjectCommand({ Bucket: ctx.sandbox.bucket, Key: run.result.s3Key ?? '' }),
    );
    const text = (await object.Body?.transformToString()) ?? '';
    expect(text).toMatch(/processes by cpu/);
    expect(text).toMatch(/output truncated after \d+ bytes: the run reached its deadline/);
    expect(Buffer.byteLength(text)).toBe(run.result.bytes);
    expect(run.manifest.outcome).toBe('partial');
    expect(run.manifest.targets[0]).toMatchObject({ status: 'partial', partialReasons: ['deadline'] });
    expect(run.published.events[0]?.detail).toMatchObject({ outcome: 'partial', manifestWritten: true });
  });

  it('lambda-timeout: the hung call ends at the Lambda timeout, is not retried, and the target is recorded failed', async () => {
    const run = await runWithFaults(['lambda-timeout'], 'e2e-lambda-timeout');

    expect(run.described.status).toBe('FAILED');
    expect(run.described.error).toBe('NoTargetSucceeded');
    expect(run.calls).toBe(1);
    // middy answers 5 ms before the runtime would say Sandbox.Timedout (the local runner's own timeout).
    expect(run.outcome.failures.map((failure) => failure.name)).toEqual(['LambdaTimeoutError']);
    expect(run.sessions).toEqual([]);
    const [target] = run.manifest.targets;
    expect(target).toMatchObject({ status: 'failed', error: { name: 'LambdaTimeoutError' } });
    expect(target?.error?.message).toMatch(/reached its Lambda Timeout.*DEADLINE_MARGIN_MS/s);
    expect(run.keys.filter((key) => key.endsWith('.log'))).toEqual([]);
    expect(run.published.events[0]?.detail).toMatchObject({ outcome: 'failed', manifestWritten: true });
  });
});
