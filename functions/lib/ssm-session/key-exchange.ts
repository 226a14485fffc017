/**
 * Answering the agent's HandshakeRequest within a capture: the requested client actions, and for KMSEncryption
 * the data key from KMS, bounded by the agent's own 15 s handshake step.
 */
import { ProtocolError, SessionInterruptedError } from '../errors.ts';
import { type Clock, timeoutSignal } from './clock.ts';
import { CLIENT_VERSION } from './connection.ts';
import {
  assertAllowedKmsKey,
  generateSessionKeys,
  handshakeResponse,
  kmsParameters,
  parseHandshakeRequest,
  type SessionKeys,
  succeeded,
  unsupported,
} from './handshake.ts';
import { type CaptureOptions, clientOnDemand } from './options.ts';

/** The agent's timeout for each handshake step (spec section 5). */
const HANDSHAKE_STEP_TIMEOUT_MS = 15_000;

/** The HandshakeResponse payload to send, and the session keys when KMS encryption was agreed. */
export interface HandshakeAnswer {
  response: Buffer;
  keys: SessionKeys | undefined;
}

/**
 * Builds the answer to one HandshakeRequest payload. `options.kms` gets a default client when KMS is needed and
 * none was given. Resolves undefined when the capture ended (`stopped` aborted) while KMS was being called.
 */
export async function answerHandshake(
  payload: Buffer,
  options: CaptureOptions,
  stopped: AbortSignal,
  clock: Clock,
): Promise<HandshakeAnswer | undefined> {
  const request = parseHandshakeRequest(payload);
  if (request.RequestedClientActions.filter((a) => a.ActionType === 'KMSEncryption').length > 1) {
    throw new ProtocolError(
      'HandshakeRequest.RequestedClientActions',
      'asks for KMSEncryption more than once; one key exchange per session is allowed',
    );
  }
  let keys: SessionKeys | undefined;
  const processed = [];
  for (const action of request.RequestedClientActions) {
    if (action.ActionType === 'SessionType') {
      processed.push(succeeded('SessionType'));
    } else if (action.ActionType === 'KMSEncryption') {
      const { KMSKeyId } = kmsParameters(action);
      if (options.kmsKeyIds !== undefined) assertAllowedKmsKey(KMSKeyId, options.kmsKeyIds);
      const kms = await clientOnDemand(
        options.kms,
        async () => new (await import('@aws-sdk/client-kms')).KMSClient(options.awsClientConfig ?? {}),
      );
      options.kms = kms;
      // The agent abandons the handshake after 15 s; a later answer is of no use, and neither is one after the end.
      const timeout = timeoutSignal(clock, HANDSHAKE_STEP_TIMEOUT_MS);
      const generated = await generateSessionKeys(
        kms,
        KMSKeyId,
        options.session.sessionId,
        options.targetId,
        AbortSignal.any([timeout.signal, stopped]),
      )
        .catch((error: unknown) => {
          if (!timeout.signal.aborted || stopped.aborted) throw error;
          throw new SessionInterruptedError(
            `KMS GenerateDataKey on key ${JSON.stringify(KMSKeyId)} did not answer within ${HANDSHAKE_STEP_TIMEOUT_MS / 1000} s, when the agent abandons the handshake; check the network route to KMS`,
            { cause: error },
          );
        })
        .finally(timeout.cancel);
      if (stopped.aborted) return undefined;
      keys = generated.keys;
      processed.push(
        succeeded('KMSEncryption', {
          KMSCipherTextKey: generated.ciphertext.toString('base64'),
          KMSCipherTextHash: null,
        }),
      );
    } else {
      processed.push(unsupported(action.ActionType));
    }
  }
  return { response: handshakeResponse(CLIENT_VERSION, processed), keys };
}
