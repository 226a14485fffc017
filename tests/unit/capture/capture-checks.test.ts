import { describe, expect, it } from '@jest/globals';
import { missingShellCheck } from '#lib/ecs-errors.ts';

describe("run-diagnostic's capture checks", () => {
  const check = missingShellCheck('checkout');

  it('fails a session cut at its deadline before any output with SessionNoOutputError', () => {
    expect(() => check({ exitCode: null, truncated: true, head: Buffer.alloc(0) })).toThrow(
      expect.objectContaining({
        name: 'SessionNoOutputError',
        message: expect.stringMatching(/"checkout" reached the run's deadline without a byte of output/),
      }),
    );
  });

  it.each([
    ['output before the deadline', { exitCode: null, truncated: true, head: Buffer.from('section a\n') }],
    ['an exit status and no output', { exitCode: 0, truncated: true, head: Buffer.alloc(0) }],
    ['a clean end with no output', { exitCode: null, truncated: false, head: Buffer.alloc(0) }],
  ])('keeps %s', (_what, state) => {
    expect(() => check(state)).not.toThrow();
  });
});
