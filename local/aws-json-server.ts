/**
 * A small HTTP server for the AWS JSON protocols (JSON 1.0 / 1.1): the SDK POSTs to `/` with
 * `X-Amz-Target: <Prefix>.<Operation>` and a JSON body; errors go back as `{"__type", "message"}`.
 * Shared by the ECS, Step Functions and CloudWatch emulators. Binds 127.0.0.1 only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An error the emulator returns AWS-shaped: `__type` is the exception name the SDK maps to a class. */
export class AwsServiceError extends Error {
  readonly type: string;
  readonly statusCode: number;
  constructor(type: string, message: string, statusCode = 400) {
    super(message);
    this.name = 'AwsServiceError';
    this.type = type;
    this.statusCode = statusCode;
  }
}

/** The request body of one operation, already JSON-parsed (an object, never an array or a primitive). */
export type JsonRequest = Record<string, unknown>;

/** One operation: takes the request body, returns the response body (or throws AwsServiceError). */
export type Operation = (request: JsonRequest) => unknown | Promise<unknown>;

export interface AwsJsonServerOptions {
  /** `AmazonEC2ContainerServiceV20141113`, `AWSStepFunctions`, ... */
  targetPrefix: string;
  /** `1.0` or `1.1` (the Content-Type of responses). */
  jsonVersion: '1.0' | '1.1';
  operations: Record<string, Operation>;
  port?: number;
  /**
   * For query-compatible JSON services (CloudWatch): each error type's awsQuery code and fault, sent as the
   * `x-amzn-query-error: Code;Sender` header so SDKs see the code AWS sends (InvalidParameterValue, ...).
   */
  queryErrors?: Record<string, { code: string; fault: 'Sender' | 'Receiver' }>;
  /** Optional hook to see every call (operation name and request), e.g. for test assertions. */
  onCall?: (operation: string, request: JsonRequest) => void;
}

export interface AwsJsonServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/** Starts the server on 127.0.0.1 (port 0 by default) and resolves once it listens. */
export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, { __type: 'InternalFailure', message: `emulator error: ${String(error)}` });
    });
  });

  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body ?? {});
    const type = status >= 400 ? (body as { __type?: string } | undefined)?.__type : undefined;
    const query = type === undefined ? undefined : options.queryErrors?.[type];
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(query !== undefined ? { 'x-amzn-query-error': `${query.code};${query.fault}` } : {}),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      send(res, 404, { __type: 'UnknownOperationException', message: `${req.method} is not supported` });
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix, operationName] = target.split('.');
    const operation =
      prefix === options.targetPrefix && operationName !== undefined
        ? Object.hasOwn(options.operations, operationName)
          ? options.operations[operationName]
          : undefined
        : undefined;
    const body = await readBody(req);
    if (operation === undefined || operationName === undefined) {
      send(res, 400, {
        __type: 'UnknownOperationException',
        message: `operation ${JSON.stringify(target)} is not emulated locally`,
      });
      return;
    }
    let request: unknown;
    try {
      request = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      send(res, 400, { __type: 'SerializationException', message: 'the request body is not valid JSON' });
      return;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      send(res, 400, { __type: 'SerializationException', message: 'the request body must be a JSON object' });
      return;
    }
    options.onCall?.(operationName, request as JsonRequest);
    try {
      send(res, 200, await operation(request as JsonRequest));
    } catch (error) {
      if (error instanceof AwsServiceError) {
        send(res, error.statusCode, { __type: error.type, message: error.message });
      } else {
        send(res, 500, { __type: 'ServerException', message: `emulator failure: ${String(error)}` });
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads an optional string field; a non-string value is an InvalidParameterException-style error. */
export function stringField(
  request: JsonRequest,
  field: string,
  errorType = 'InvalidParameterException',
): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsServiceError(errorType, `${field} must be a string`);
  return value;
}

/** Reads an optional list of strings. */
export function stringListField(
  request: JsonRequest,
  field: string,
  errorType = 'InvalidParameterException',
): string[] | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new AwsServiceError(errorType, `${field} must be a list of strings`);
  }
  return value as string[];
}

/** Reads an optional integer within [min, max]. */
export function integerField(
  request: JsonRequest,
  field: string,
  range: { min: number; max: number },
  errorType = 'InvalidParameterException',
): number | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new AwsServiceError(errorType, `${field} must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

/** Opaque pagination tokens: base64url of the offset, rejected when tampered with. */
export function encodeToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

/** Decodes a token from encodeToken; throws the given AWS error on anything else. */
export function decodeToken(token: string | undefined, errorType = 'InvalidParameterException'): number {
  if (token === undefined) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) throw new AwsServiceError(errorType, 'nextToken is not valid');
  return Number(match[1]);
}
