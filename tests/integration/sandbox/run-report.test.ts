import { describe, expect, it } from '@jest/globals';
import type { JournalEntry } from '#local/pipeline.ts';
import { collectOutcome, formatOutcome, normaliseError, oneLine } from '#local/run-report.ts';

const target = (id: string) => ({
  cluster: 'payments-prod',
  taskArn: `arn:aws:ecs:us-east-1:493817260514:task/payments-prod/${id}`,
  container: 'checkout',
  script: 'basic',
  az: 'us-east-1a',
});

describe('run-report', () => {
  it('takes final results from WriteReport input, counts attempts and keeps skipped targets', () => {
    const a = target('a'.repeat(32));
    const b = target('b'.repeat(32));
    const journal: JournalEntry[] = [
      {
        executionName: 'x',
        state: 'ResolveTargets',
        input: {},
        output: {
          targets: [a, b],
          skipped: [{ cluster: 'payments-prod', taskArn: 'arn/c', reason: 'agent PENDING' }],
        },
        ms: 1,
      },
      {
        executionName: 'x',
        state: 'RunDiagnostic',
        input: { target: a },
        error: { name: 'TargetNotConnectedException', message: 'm' },
        ms: 1,
      },
      {
        executionName: 'x',
        state: 'RunDiagnostic',
        input: { target: a },
        output: { target: a, status: 'succeeded', bytes: 5, exitCode: 0, s3Key: 'k' },
        ms: 1,
      },
      {
        executionName: 'x',
        state: 'RunDiagnostic',
        input: { target: b },
        error: { name: 'AccessDeniedException', message: 'no' },
        ms: 1,
      },
      {
        executionName: 'x',
        state: 'WriteReport',
        input: {
          state: {
            results: [
              { target: a, status: 'succeeded', bytes: 5, exitCode: 0, s3Key: 'k' },
              {
                target: b,
                status: 'failed',
                error: {
                  Error: 'AccessDeniedException',
                  Cause: '{"errorType":"AccessDeniedException","errorMessage":"no"}',
                },
              },
            ],
          },
        },
        error: { name: 'Sandbox.Timedout', message: 'write-report ran out of time' },
        ms: 1,
      },
      { executionName: 'other', state: 'RunDiagnostic', input: { target: a }, output: {}, ms: 1 },
    ];

    const outcome = collectOutcome(journal, 'x');
    const text = formatOutcome(outcome).join('\n');

    expect(outcome.results.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    expect(outcome.calls.get(`${a.taskArn}|checkout|basic`)).toBe(2);
    expect(outcome.failures.map((f) => f.state)).toEqual(['RunDiagnostic', 'RunDiagnostic', 'WriteReport']);
    expect(text).toContain('5 bytes, exit 0, 2 attempts');
    expect(text).toContain('error: AccessDeniedException: no');
    expect(text).toContain('SKIPPED   c: agent PENDING');
  });

  it('reads both error shapes and escapes control characters', () => {
    expect(normaliseError({ name: 'A', message: 'b' })).toEqual({ name: 'A', message: 'b' });
    expect(normaliseError({ Error: 'States.Timeout', Cause: 'bare' })).toEqual({
      name: 'States.Timeout',
      message: 'bare',
    });
    expect(normaliseError('nope')).toBeUndefined();
    expect(oneLine('x\n\u001b[31my', 100)).toBe('x\\n\\u001b[31my');
    expect(oneLine('abcdef', 3)).toBe('abc…');
  });
});
