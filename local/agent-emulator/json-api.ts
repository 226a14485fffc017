import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsApiError, type LocalKms } from './kms.ts';

const MAX_BODY_BYTES = 1024 * 1024;
const JSON_11 = 'application/x-amz-json-1.1';

/** What the JSON API needs from the emulator besides KMS. */
export interface ApiBackend {
  kms: LocalKms;
  /** Ends a session: `unknown` id, `ended` already (closed, terminated, dropped), or `terminated` now. */
  terminateSession(sessionId: string): 'terminated' | 'ended' | 'unknown';
}

/**
 * Answers the AWS JSON 1.1 calls the data-channel client makes: SSM TerminateSession and KMS GenerateDataKey /
 * Decrypt, with AWS-shaped errors ({"__type","message"}) that the SDK v3 maps to its exception classes.
 */
export async function handleJsonApi(
  request: IncomingMessage,
  response: ServerResponse,
  backend: ApiBackend,
): Promise<void> {
  try {
    if (request.method !== 'POST')
      throw new AwsApiError('UnknownOperationException', 'only POST is supported', 404);
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = await readJson(request);
    const result = dispatch(target, body, backend);
    send(response, 200, result);
  } catch (error) {
    const apiError =
      error instanceof AwsApiError
        ? error
        : new AwsApiError('InternalFailure', (error as Error).message, 500);
    send(response, apiError.status, { __type: apiError.name, message: apiError.message }, apiError.name);
  }
}

function dispatch(
  target: string,
  body: Record<string, unknown>,
  backend: ApiBackend,
): Record<string, unknown> {
  switch (target) {
    case 'AmazonSSM.TerminateSession': {
      // SSM's model defines InternalServerError only for TerminateSession (DoesNotExistException left it). As
      // AWS answers: an unknown id succeeds (the call "always succeeds regardless of session validity"), a
      // session that already ended is a ValidationException "Session is not in a valid state".
      const sessionId = requiredString(body, 'SessionId');
      if (sessionId.length > 96) {
        throw new AwsApiError(
          'ValidationException',
          "1 validation error detected: Value at 'sessionId' failed to satisfy constraint: Member must have length less than or equal to 96",
        );
      }
      if (backend.terminateSession(sessionId) === 'ended') {
        throw new AwsApiError('ValidationException', 'Session is not in a valid state');
      }
      return { SessionId: sessionId };
    }
    case 'TrentService.GenerateDataKey': {
      const keyId = requiredString(body, 'KeyId');
      const result = backend.kms.generateDataKey(keyId, dataKeySize(body), encryptionContext(body));
      return {
        CiphertextBlob: result.ciphertextBlob.toString('base64'),
        Plaintext: result.plaintext.toString('base64'),
        KeyId: result.keyArn,
      };
    }
    case 'TrentService.Decrypt': {
      const blob = Buffer.from(requiredString(body, 'CiphertextBlob'), 'base64');
      const keyId = body.KeyId === undefined ? undefined : requiredString(body, 'KeyId');
      const result = backend.kms.decrypt(blob, encryptionContext(body), keyId);
      return {
        KeyId: result.keyArn,
        Plaintext: result.plaintext.toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    }
    default:
      throw new AwsApiError(
        'UnknownOperationException',
        `X-Amz-Target ${JSON.stringify(target)} is not one of AmazonSSM.TerminateSession, TrentService.GenerateDataKey, TrentService.Decrypt`,
      );
  }
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new AwsApiError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function dataKeySize(body: Record<string, unknown>): number {
  if (body.NumberOfBytes !== undefined) {
    const n = body.NumberOfBytes;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1024) {
      throw new AwsApiError(
        'ValidationException',
        `NumberOfBytes must be an integer from 1 to 1024, got ${JSON.stringify(n)}`,
      );
    }
    return n;
  }
  if (body.KeySpec === 'AES_256') return 32;
  if (body.KeySpec === 'AES_128') return 16;
  throw new AwsApiError('ValidationException', 'Please specify either number of bytes or key spec.');
}

function encryptionContext(body: Record<string, unknown>): Record<string, string> {
  const context = body.EncryptionContext ?? {};
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new AwsApiError('ValidationException', 'EncryptionContext must be a map of strings');
  }
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== 'string') {
      throw new AwsApiError(
        'ValidationException',
        `EncryptionContext value for ${JSON.stringify(key)} must be a string`,
      );
    }
  }
  return context as Record<string, string>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new AwsApiError('ValidationException', 'request body is larger than 1 MiB', 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsApiError('SerializationException', 'the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsApiError('SerializationException', 'the request body is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function send(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  response.writeHead(status, headers);
  response.end(text);
}
