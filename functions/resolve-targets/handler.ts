import { NotImplementedError } from '#lib/errors.ts';
import { createHandler } from '#lib/handler.ts';

/** Validates the request and resolves it to the tasks and containers to diagnose. */
export const handler = createHandler(async (_event: unknown): Promise<never> => {
  throw new NotImplementedError('resolve-targets');
});
