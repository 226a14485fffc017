import { NotImplementedError } from '#lib/errors.ts';
import { createHandler } from '#lib/handler.ts';

/** Writes the run manifest to S3. */
export const handler = createHandler(async (_event: unknown): Promise<never> => {
  throw new NotImplementedError('write-report');
});
