/** SSM TerminateSession as a capture calls it on truncation and failure: bounded in time, never throwing. */
import { type CaptureOptions, clientOnDemand } from './options.ts';

const TERMINATE_TIMEOUT_MS = 5000;

/**
 * Calls TerminateSession on the capture's session (with a default SSM client if none was given, its module loaded
 * on first use); returns the failure as text instead of throwing.
 */
export async function terminateSession(options: CaptureOptions): Promise<string | undefined> {
  try {
    const { SSMClient, TerminateSessionCommand } = await import('@aws-sdk/client-ssm');
    const ssm = await clientOnDemand(options.ssm, async () => new SSMClient(options.awsClientConfig ?? {}));
    options.ssm = ssm;
    await ssm.send(new TerminateSessionCommand({ SessionId: options.session.sessionId }), {
      abortSignal: AbortSignal.timeout(TERMINATE_TIMEOUT_MS),
    });
    return undefined;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}
