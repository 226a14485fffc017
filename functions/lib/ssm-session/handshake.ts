/**
 * The session handshake (spec section 7): answering the agent's requested client actions, the KMS data key
 * exchange, the encryption challenge, and AES-256-GCM for the payloads that travel encrypted afterwards.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { InvalidRequestError, ProtocolError } from '../errors.ts';

/** ActionStatus values of a processed client action. */
export const ActionStatus = { Success: 1, Failed: 2, Unsupported: 3 } as const;

const NONCE_BYTES = 12;
/**
 * Bounds on what the agent sends in the handshake, so that what we answer (and keep for resending) stays small:
 * the agent's real request is a few hundred bytes with two actions, and its challenge is 64 random bytes.
 */
export const MAX_HANDSHAKE_REQUEST_BYTES = 64 * 1024;
export const MAX_REQUESTED_ACTIONS = 16;
const MAX_ACTION_TYPE_LENGTH = 64;
export const MAX_CHALLENGE_BYTES = 4096;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 64;

/** One action the agent asks the client to perform. */
export interface RequestedClientAction {
  ActionType: string;
  ActionParameters: unknown;
}

/** The parsed HandshakeRequest payload. */
export interface HandshakeRequest {
  AgentVersion: string;
  RequestedClientActions: RequestedClientAction[];
}

/** The KMSEncryption action's parameters. */
export interface KmsEncryptionParameters {
  KMSKeyId: string;
  Challenge?: string;
}

/**
 * The two AES-256 keys from the 64-byte KMS data key, as KeyObjects made once per session: on Node 24 a
 * decipher set up from a raw Buffer key costs about 4× one set up from a KeyObject.
 */
export interface SessionKeys {
  /** Bytes 0–31: decrypts agent → client data. */
  decryptKey: KeyObject;
  /** Bytes 32–63: encrypts client → agent data. */
  encryptKey: KeyObject;
}

/** An AES key: a KeyObject (fast, made once) or raw bytes. */
export type AesKey = KeyObject | Buffer;

interface ProcessedClientAction {
  ActionType: string;
  ActionStatus: number;
  ActionResult: unknown;
  Error: string;
}

function parseJson(payload: Buffer, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(what, 'is not valid JSON', { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ProtocolError(what, 'is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** Parses and validates a HandshakeRequest payload (PayloadType 5). */
export function parseHandshakeRequest(payload: Buffer): HandshakeRequest {
  if (payload.length > MAX_HANDSHAKE_REQUEST_BYTES) {
    throw new ProtocolError(
      'HandshakeRequest',
      `is ${payload.length} bytes, more than the ${MAX_HANDSHAKE_REQUEST_BYTES} a handshake needs; refused`,
    );
  }
  const content = parseJson(payload, 'HandshakeRequest');
  const actions = content.RequestedClientActions;
  if (!Array.isArray(actions)) {
    throw new ProtocolError('HandshakeRequest.RequestedClientActions', 'is not an array');
  }
  if (actions.length > MAX_REQUESTED_ACTIONS) {
    throw new ProtocolError(
      'HandshakeRequest.RequestedClientActions',
      `lists ${actions.length} actions, more than ${MAX_REQUESTED_ACTIONS}; refused`,
    );
  }
  const parsed = actions.map((action: unknown, index) => {
    if (action === null || typeof action !== 'object') {
      throw new ProtocolError(`HandshakeRequest.RequestedClientActions[${index}]`, 'is not an object');
    }
    const { ActionType, ActionParameters } = action as Record<string, unknown>;
    if (typeof ActionType !== 'string' || ActionType === '') {
      throw new ProtocolError(`HandshakeRequest.RequestedClientActions[${index}].ActionType`, 'is missing');
    }
    if (ActionType.length > MAX_ACTION_TYPE_LENGTH) {
      throw new ProtocolError(
        `HandshakeRequest.RequestedClientActions[${index}].ActionType`,
        `is longer than ${MAX_ACTION_TYPE_LENGTH} characters`,
      );
    }
    return { ActionType, ActionParameters };
  });
  return {
    AgentVersion: typeof content.AgentVersion === 'string' ? content.AgentVersion : '',
    RequestedClientActions: parsed,
  };
}

/** Validates the KMSEncryption action's parameters. */
export function kmsParameters(action: RequestedClientAction): KmsEncryptionParameters {
  const parameters = action.ActionParameters;
  if (parameters === null || typeof parameters !== 'object') {
    throw new ProtocolError('KMSEncryption.ActionParameters', 'is not an object');
  }
  const { KMSKeyId, Challenge } = parameters as Record<string, unknown>;
  if (typeof KMSKeyId !== 'string' || KMSKeyId === '') {
    throw new ProtocolError('KMSEncryption.ActionParameters.KMSKeyId', 'is missing');
  }
  if (Challenge !== undefined && Challenge !== null && typeof Challenge !== 'string') {
    throw new ProtocolError('KMSEncryption.ActionParameters.Challenge', 'is not a base64 string');
  }
  return { KMSKeyId, ...(typeof Challenge === 'string' ? { Challenge } : {}) };
}

/** The key part of a KMS key reference: `key/<id>` or `alias/<name>` from an ARN, an alias name or a bare id. */
function kmsKeyResource(reference: string): string {
  const arn = /^arn:[^:]+:kms:[^:]*:[^:]*:(.+)$/.exec(reference);
  const resource = arn?.[1] ?? reference;
  return resource.startsWith('alias/') || resource.startsWith('key/') ? resource : `key/${resource}`;
}

/**
 * Refuses (ProtocolError) a KMS key the agent names that is none of `allowed` (the cluster's configured
 * ExecuteCommand key): equal as written, or the same key id or alias name, whether written as an ARN or not.
 * An empty `allowed` refuses every key (the cluster configures none).
 */
export function assertAllowedKmsKey(named: string, allowed: readonly string[]): void {
  const resource = kmsKeyResource(named);
  if (allowed.some((key) => key === named || kmsKeyResource(key) === resource)) return;
  const shown = JSON.stringify(named.slice(0, 300));
  throw new ProtocolError(
    'KMSEncryption.ActionParameters.KMSKeyId',
    allowed.length === 0
      ? `the agent asks for encryption with ${shown}, but the cluster configures no ExecuteCommand KMS key; refused`
      : `the agent names ${shown}, which is not the cluster's ExecuteCommand KMS key ${allowed.map((k) => JSON.stringify(k)).join(' or ')}; refused`,
  );
}

/**
 * Calls KMS GenerateDataKey (64 bytes, encryption context SessionId + TargetId) and splits the key.
 * Returns the keys and the ciphertext blob the agent decrypts. `abortSignal` cancels the KMS call.
 */
export async function generateSessionKeys(
  kms: KMSClient,
  keyId: string,
  sessionId: string,
  targetId: string | undefined,
  abortSignal?: AbortSignal,
): Promise<{ keys: SessionKeys; ciphertext: Buffer }> {
  if (targetId === undefined || targetId === '') {
    throw new InvalidRequestError(
      'targetId',
      'the agent asked for KMS encryption, which needs the target id ecs:<cluster>_<taskId>_<runtimeId> for the encryption context; pass it',
    );
  }
  const { GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
  const result = await kms.send(
    new GenerateDataKeyCommand({
      KeyId: keyId,
      NumberOfBytes: DATA_KEY_BYTES,
      EncryptionContext: { 'aws:ssm:SessionId': sessionId, 'aws:ssm:TargetId': targetId },
    }),
    abortSignal === undefined ? {} : { abortSignal },
  );
  const plaintext = result.Plaintext;
  const ciphertext = result.CiphertextBlob;
  if (plaintext === undefined || plaintext.length !== DATA_KEY_BYTES) {
    throw new ProtocolError(
      'GenerateDataKey.Plaintext',
      `expected ${DATA_KEY_BYTES} bytes, got ${plaintext?.length ?? 'none'}`,
    );
  }
  if (ciphertext === undefined || ciphertext.length === 0) {
    throw new ProtocolError('GenerateDataKey.CiphertextBlob', 'is missing');
  }
  const key = Buffer.from(plaintext);
  const keys: SessionKeys = {
    decryptKey: createSecretKey(key.subarray(0, 32)),
    encryptKey: createSecretKey(key.subarray(32, 64)),
  };
  key.fill(0);
  return {
    keys,
    ciphertext: Buffer.from(ciphertext),
  };
}

/** AES-256-GCM encryption: nonce(12) ‖ ciphertext ‖ tag(16), no AAD. */
export function encrypt(key: AesKey, plaintext: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** AES-256-GCM decryption of nonce ‖ ciphertext ‖ tag; a bad tag is a ProtocolError naming `field`. */
export function decrypt(key: AesKey, sealed: Buffer, field = 'Payload'): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new ProtocolError(field, `${sealed.length} bytes is too short for AES-GCM nonce and tag`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    // GCM is a stream mode: update() returns all the plaintext, final() only checks the tag.
    const plaintext = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    decipher.final();
    return plaintext;
  } catch (error) {
    throw new ProtocolError(field, 'AES-GCM decryption failed (wrong key or tampered data)', {
      cause: error,
    });
  }
}

/** Builds the HandshakeResponse payload (PayloadType 6). */
export function handshakeResponse(clientVersion: string, processed: ProcessedClientAction[]): Buffer {
  return Buffer.from(
    JSON.stringify({ ClientVersion: clientVersion, ProcessedClientActions: processed, Errors: null }),
  );
}

/** A processed action with status Success. */
export function succeeded(actionType: string, result: unknown = null): ProcessedClientAction {
  return { ActionType: actionType, ActionStatus: ActionStatus.Success, ActionResult: result, Error: '' };
}

/** A processed action the client does not support (status 3). */
export function unsupported(actionType: string): ProcessedClientAction {
  return {
    ActionType: actionType,
    ActionStatus: ActionStatus.Unsupported,
    ActionResult: null,
    Error: `Unsupported action ${actionType}`,
  };
}

/** Answers an EncChallengeRequest payload (PayloadType 8) with the EncChallengeResponse payload (PayloadType 9). */
export function answerChallenge(keys: SessionKeys, payload: Buffer): Buffer {
  if (payload.length > MAX_CHALLENGE_BYTES) {
    throw new ProtocolError(
      'EncChallengeRequest',
      `is ${payload.length} bytes, more than the ${MAX_CHALLENGE_BYTES} a challenge needs; refused`,
    );
  }
  const content = parseJson(payload, 'EncChallengeRequest');
  if (typeof content.Challenge !== 'string') {
    throw new ProtocolError('EncChallengeRequest.Challenge', 'is not a base64 string');
  }
  const plaintext = decrypt(
    keys.decryptKey,
    Buffer.from(content.Challenge, 'base64'),
    'EncChallengeRequest.Challenge',
  );
  return Buffer.from(JSON.stringify({ Challenge: encrypt(keys.encryptKey, plaintext).toString('base64') }));
}
