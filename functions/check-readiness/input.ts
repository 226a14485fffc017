import type { RunContext, Target } from '#lib/contracts.ts';
import { InvalidRequestError } from '#lib/errors.ts';
import { parseMapItem } from '#lib/map-item.ts';

/** The CheckReadiness state input: the Map item and the error RunDiagnostic's Catch recorded. */
export interface CheckReadinessInput {
  target: Target;
  run: RunContext;
  error: { name: string; message: string };
}

/** Validates {target, run, error}; errors name the field and the fix. */
export function parseCheckReadinessInput(event: unknown): CheckReadinessInput {
  const { target, run } = parseMapItem(event);
  const caught = (event as { error?: { Error?: unknown; Cause?: unknown } }).error;
  if (typeof caught !== 'object' || caught === null || typeof caught.Error !== 'string') {
    throw new InvalidRequestError('error', 'must be the caught error {Error, Cause} ("error.$": "$.error")');
  }
  const cause = typeof caught.Cause === 'string' ? caught.Cause.slice(0, 1000) : '';
  return { target, run, error: { name: caught.Error.slice(0, 200), message: cause } };
}
