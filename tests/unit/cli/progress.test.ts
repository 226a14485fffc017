import { describe, expect, it } from '@jest/globals';
import { progressLines, retryDelayUpperBound, targetProgress } from '../../../bin/cli/progress.ts';

const input = (task: string) =>
  JSON.stringify({ target: { taskArn: `arn:aws:ecs:us-east-1:1:task/c/${task}`, container: 'app' } });

describe('ecs-diag run --wait progress', () => {
  it('follows each target through its attempts, retries and result by previousEventId', () => {
    const events = [
      { id: 1, type: 'ExecutionStarted' },
      { id: 2, previousEventId: 1, type: 'MapIterationStarted' },
      { id: 3, previousEventId: 1, type: 'MapIterationStarted' },
      {
        id: 4,
        previousEventId: 2,
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'RunDiagnostic', input: input('aaa') },
      },
      {
        id: 5,
        previousEventId: 3,
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'RunDiagnostic', input: input('bbb') },
      },
      { id: 6, previousEventId: 4, type: 'TaskScheduled' },
      { id: 7, previousEventId: 5, type: 'TaskScheduled' },
      {
        id: 8,
        previousEventId: 6,
        type: 'TaskFailed',
        taskFailedEventDetails: {
          error: 'TargetNotConnectedException',
          cause: '{"errorMessage":"agent not connected"}',
        },
      },
      {
        id: 9,
        previousEventId: 7,
        type: 'TaskSucceeded',
        taskSucceededEventDetails: { output: '{"status":"partial"}' },
      },
      { id: 10, previousEventId: 8, type: 'TaskScheduled' },
      {
        id: 11,
        previousEventId: 10,
        type: 'TaskFailed',
        taskFailedEventDetails: { error: 'TargetNotConnectedException' },
      },
    ];

    const progress = targetProgress(events);

    expect(progress).toEqual([
      {
        label: 'aaa/app',
        state: 'waiting to retry',
        attempts: 2,
        lastError: 'TargetNotConnectedException',
        nextDelayAtMostSeconds: 20,
      },
      { label: 'bbb/app', state: 'done', status: 'partial', attempts: 1 },
    ]);
    expect(progressLines(progress)[0]).toBe(
      '  aaa/app: waiting to retry, attempt 2, last error TargetNotConnectedException, next attempt within 20 s',
    );
  });

  it('marks a target failed when its error is not retried, and caps delays at MaxDelaySeconds', () => {
    const events = [
      {
        id: 1,
        type: 'TaskStateEntered',
        stateEnteredEventDetails: { name: 'RunDiagnostic', input: input('ccc') },
      },
      { id: 2, previousEventId: 1, type: 'TaskScheduled' },
      {
        id: 3,
        previousEventId: 2,
        type: 'TaskFailed',
        taskFailedEventDetails: { error: 'AccessDeniedException' },
      },
    ];

    expect(targetProgress(events)[0]?.state).toBe('failed');
    expect(retryDelayUpperBound('TargetNotConnectedException', 5)).toBe(90);
    expect(retryDelayUpperBound('TargetNotConnectedException', 9)).toBeUndefined();
    expect(retryDelayUpperBound('AccessDeniedException', 1)).toBeUndefined();
  });

  it('escapes control and bidi characters that come from error text', () => {
    const line = progressLines([
      { label: 't/app', state: 'failed', attempts: 1, lastError: 'Boom\u001b[31m\u202e' },
    ])[0];

    expect(line).toBe('  t/app: failed, attempt 1, last error Boom\\u{1b}[31m\\u{202e}');
  });
});
