/** Caught Step Functions errors, as the manifest shows them. */

/** What Step Functions records for a caught error (`Cause` is a JSON string for Lambda errors on AWS). */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

export const MAX_MESSAGE_LENGTH = 2000;

const TIMEOUT_HINT =
  'run-diagnostic stops its session DEADLINE_MARGIN_MS before its Lambda Timeout, so a timeout means a call ' +
  'that hung past that margin; the attempt left no output. Not retried (a retry would wait as long again): run ' +
  'again once the service answers.';

const HINTS: Record<string, string> = {
  TargetNotConnectedException:
    'The ExecuteCommand agent in the task never connected while the retries lasted (about 8 minutes). Check: ' +
    '1) the task role allows ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel and ' +
    'OpenDataChannel; 2) the task can reach the ssmmessages endpoint (NAT gateway or a VPC interface endpoint); ' +
    '3) the task was started with enableExecuteCommand (update the service with --enable-execute-command and ' +
    'start new tasks).',
  'States.Timeout':
    'The diagnostic outlived the task timeout; a shorter script or a smaller output cap helps.',
  'Sandbox.Timedout': TIMEOUT_HINT,
  LambdaTimeoutError: TIMEOUT_HINT,
};

/** Turns a caught error into `{name, message}`, unwrapping the Lambda `{errorType, errorMessage}` cause. */
export function normaliseCaughtError(caught: CaughtError | undefined): { name: string; message: string } {
  const name = typeof caught?.Error === 'string' && caught.Error !== '' ? caught.Error : 'UnknownError';
  let message = typeof caught?.Cause === 'string' ? caught.Cause : '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (parsed !== null && typeof parsed === 'object' && typeof parsed.errorMessage === 'string') {
      message = parsed.errorMessage;
    }
  } catch {
    // A bare message (the local interpreter, or a States.* error) stays as it is.
  }
  const hint = HINTS[name];
  if (hint !== undefined && !message.includes(hint)) message = message === '' ? hint : `${message} — ${hint}`;
  return {
    name: name.slice(0, 256),
    message: message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message,
  };
}
