import { describe, expect, it } from '@jest/globals';
import { createHandler } from '#lib/handler.ts';
import { fakeContext } from '../../support/lambda-context.ts';

describe('createHandler', () => {
  it('answers LambdaTimeoutError (a name Step Functions can match, saying what happened) just before the Lambda Timeout', async () => {
    let release: () => void = () => undefined;
    const hung = createHandler(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('late');
        }),
    );

    const outcome = hung({}, fakeContext('hung', 50)).catch((error: unknown) => error);
    const error = (await outcome) as Error;
    release();

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('LambdaTimeoutError');
    expect(error.message).toMatch(/reached its Lambda Timeout before it returned/);
  });
});
