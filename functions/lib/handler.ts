import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';

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
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({
      before: (request) => {
        const keys = Object.fromEntries(
          Object.entries(logKeys(request.event)).filter(([, value]) => value !== undefined),
        );
        logger.appendKeys(keys);
      },
    })
    .handler(handler);
}
