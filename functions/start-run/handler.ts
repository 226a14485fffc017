import { NotImplementedError } from '#lib/errors.ts';
import { createHandler } from '#lib/handler.ts';

/** Normalises an alarm or schedule event into a DiagnosticsRequest and starts the state machine. */
export const handler = createHandler(async (_event: unknown): Promise<never> => {
  throw new NotImplementedError('start-run');
});
