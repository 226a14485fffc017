import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { LambdaTimeoutError } from './errors.ts';
import { logger } from './logger.ts';

/** Longest error message a handler lets out: it becomes the Step Functions Cause, which travels in state. */
export const MAX_ERROR_MESSAGE = 1000;
/** Stack lines kept (each cut to 200 characters): Lambda puts the stack in the Cause's `trace`. */
const MAX_STACK_LINES = 8;

/**
 * Bounds a thrown error in place: message cut to MAX_ERROR_MESSAGE, stack to a few short lines. Lambda
 * turns it into the Cause `{errorType, errorMessage, trace}` that a Catch keeps in the state, so an
 * unbounded message from ECS or the agent could otherwise push a large run past the state limit.
 */
export function boundError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.message.length > MAX_ERROR_MESSAGE)
    error.message = `${error.message.slice(0, MAX_ERROR_MESSAGE)}…`;
  if (typeof error.stack === 'string') {
    error.stack = error.stack
      .split('\n')
      .slice(0, MAX_STACK_LINES)
      .map((line) => line.slice(0, 200))
      .join('\n');
  }
  return error;
}

/** middy's answer 5 ms before the Lambda Timeout: a named error that says what happened (not middy's AbortError). */
function timedOut(): never {
  throw new LambdaTimeoutError(
    "the function reached its Lambda Timeout before it returned: a call that hung past the handler's own deadlines (ECS, SSM, S3) is the likely cause; raise the function's Timeout only if the work itself needs longer",
  );
}

/** Keys that every log line of an invocation carries when the event has them. */
export interface LogKeys {
  executionName?: string;
  target?: string;
}

/**
 * Wraps a handler in middy with the Powertools logger (cold start, request id) and per-invocation
 * keys taken from the event (the execution name and, where there is one, the target).
 */
export function createHandler<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  logKeys: (event: TEvent) => LogKeys = () => ({}),
) {
  return middy<TEvent, TResult>({ timeoutEarlyResponse: timedOut })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        const keys = Object.fromEntries(
          Object.entries(logKeys(request.event)).filter(([, value]) => value !== undefined),
        );
        logger.appendKeys(keys);
      },
    })
    .handler(async (event: TEvent, context: Context) => {
      try {
        return await handler(event, context);
      } catch (error) {
        throw boundError(error);
      }
    });
}
