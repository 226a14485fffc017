/**
 * Errors whose `name` is part of the Step Functions contract (`ErrorEquals` matches it).
 * Every class writes its name out by hand: esbuild's minifier renames classes.
 */

/** A request or event field is missing or malformed; the message names the field and the fix. */
export class InvalidRequestError extends Error {
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = 'InvalidRequestError';
    this.field = field;
  }
}

/** The function's own configuration (environment variables) is missing or wrong. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** The data-channel websocket closed before the service sent channel_closed. */
export class SessionInterruptedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SessionInterruptedError';
  }
}

/** A message on the data channel broke the protocol (bad header, digest, JSON ...); names the field. */
export class ProtocolError extends Error {
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = 'ProtocolError';
    this.field = field;
  }
}

/** The service ended the session with a non-empty reason in channel_closed. */
export class SessionClosedError extends Error {
  constructor(reason: string, options?: ErrorOptions) {
    super(`the session was closed by the service: ${reason}`, options);
    this.name = 'SessionClosedError';
  }
}

/**
 * S3 refused the output (a 5xx or a refusal past the SDK's retries). The upload was aborted, so no partial object
 * is left under the key; the script did run.
 */
export class OutputNotStoredError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutputNotStoredError';
  }
}

/**
 * The handler was still running 5 ms before its Lambda Timeout (middy answers then, instead of the runtime's
 * `Sandbox.Timedout`): a call that hung past the handler's own deadlines is the likely cause.
 */
export class LambdaTimeoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LambdaTimeoutError';
  }
}

/** Formats any thrown value for a log line or a manifest entry (never `JSON.stringify(error)`). */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
