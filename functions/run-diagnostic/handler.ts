import { NotImplementedError } from '#lib/errors.ts';
import { createHandler } from '#lib/handler.ts';

/** Runs one catalog script in one container and streams its output to S3. */
export const handler = createHandler(async (_event: unknown): Promise<never> => {
  throw new NotImplementedError('run-diagnostic');
});
