/**
 * The local S3: fauxqs (an in-memory S3 emulator) served from this process on 127.0.0.1.
 * fauxqs's own `startFauxqs` always binds 0.0.0.0, so its app is built and listened on loopback here.
 * Clients must use path-style addressing (AWS_S3_FORCE_PATH_STYLE=true in the sandbox env).
 * Fault switches answer chosen multipart operations with S3's own 5xx errors before fauxqs sees them.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';

/** The S3 operations the fault switches and counters tell apart (by method and query, as S3 routes them). */
export type S3Operation =
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'CopyObject'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'ListObjectsV2'
  | 'DeleteObject'
  | 'Other';

/** Fault switches; all off by default. Counts run from the last setFaults. */
export interface S3Faults {
  /** The first N UploadPart requests (Infinity: every one) answer 500 InternalError. */
  uploadPartErrors?: number;
  /**
   * The first N CompleteMultipartUpload requests (Infinity: every one) answer 200 OK with an InternalError
   * document, as S3 documents it can ("a 200 OK response can contain either a success or an error").
   */
  completeErrors?: number;
}

export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A path-style client on the local endpoint. */
  client(region: string): S3Client;
  /** Requests received, by HTTP method (what S3 bills by: GET/HEAD vs PUT/POST/LIST). */
  requests: Map<string, number>;
  /** Requests received by S3 operation since the start or the last setFaults (failed ones included). */
  operations: Map<S3Operation, number>;
  /** Requests a fault switch answered with an error, by operation, since the last setFaults. */
  injected: Map<S3Operation, number>;
  /** Replaces the fault switches and starts the counts again. */
  setFaults(faults: S3Faults): void;
  /** Creates a bucket through the S3 API (idempotent). */
  createBucket(bucket: string, region: string): Promise<void>;
  close(): Promise<void>;
}

/** The S3 operation of a request, from its method, query and copy-source header. */
export function s3Operation(method: string, url: string, headers: Record<string, unknown>): S3Operation {
  const query = new URL(url, 'http://s3.local').searchParams;
  const path = new URL(url, 'http://s3.local').pathname.split('/').filter(Boolean);
  switch (method) {
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      return 'Other';
    case 'PUT':
      if (query.has('uploadId') && query.has('partNumber')) return 'UploadPart';
      if (path.length < 2) return 'Other';
      return headers['x-amz-copy-source'] !== undefined ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      if (query.has('uploadId')) return 'AbortMultipartUpload';
      return path.length >= 2 ? 'DeleteObject' : 'Other';
    case 'GET':
      if (path.length < 2) return query.get('list-type') === '2' ? 'ListObjectsV2' : 'Other';
      return 'GetObject';
    case 'HEAD':
      return path.length >= 2 ? 'HeadObject' : 'Other';
    default:
      return 'Other';
  }
}

/** S3's error document. */
function errorDocument(code: string, message: string, resource: string): string {
  const id = randomBytes(8).toString('hex').toUpperCase();
  const escaped = resource.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><Resource>${escaped}</Resource><RequestId>${id}</RequestId><HostId>fauxqs-fault</HostId></Error>`;
}

/** What the fault hook uses of fastify's request and reply. */
interface HookRequest {
  method: string;
  url: string;
  headers: Record<string, unknown>;
}
interface HookReply {
  code(status: number): HookReply;
  header(name: string, value: string): HookReply;
  send(payload: string): unknown;
}

const INTERNAL_ERROR = 'We encountered an internal error. Please try again.';

/** Starts fauxqs on 127.0.0.1 (port 0 unless given). */
export async function startLocalS3(
  options: { port?: number; region?: string; faults?: S3Faults } = {},
): Promise<LocalS3> {
  const app = buildApp({ logger: false, host: '127.0.0.1', defaultRegion: options.region ?? 'us-east-1' });
  let faults: S3Faults = options.faults ?? {};
  const operations = new Map<S3Operation, number>();
  const injected = new Map<S3Operation, number>();
  const bump = (map: Map<S3Operation, number>, operation: S3Operation): number => {
    const next = (map.get(operation) ?? 0) + 1;
    map.set(operation, next);
    return next;
  };
  // After the body is read (an early answer to a 5 MiB part would reset the connection instead).
  app.addHook('preHandler', (request: HookRequest, reply: HookReply, done: () => void) => {
    const operation = s3Operation(request.method, request.url, request.headers);
    const seen = bump(operations, operation);
    // UploadPart fails as a 500; CompleteMultipartUpload as S3 documents it can, a 200 carrying the error.
    const failing =
      operation === 'UploadPart'
        ? { limit: faults.uploadPartErrors, status: 500 }
        : operation === 'CompleteMultipartUpload'
          ? { limit: faults.completeErrors, status: 200 }
          : undefined;
    if (failing !== undefined && seen <= (failing.limit ?? 0)) {
      bump(injected, operation);
      reply
        .code(failing.status)
        .header('content-type', 'application/xml')
        .send(errorDocument('InternalError', INTERNAL_ERROR, request.url.split('?')[0] ?? '/'));
      return;
    }
    done();
  });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('fauxqs did not report a TCP address');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const clients: S3Client[] = [];
  const requests = new Map<string, number>();
  app.server.on('request', (request: { method?: string; url?: string }) => {
    const method =
      request.method === 'GET' && /[?&]list-type=2/.test(request.url ?? '')
        ? 'LIST'
        : (request.method ?? '?');
    requests.set(method, (requests.get(method) ?? 0) + 1);
  });

  function client(region: string): S3Client {
    const created = new S3Client({ endpoint, region, forcePathStyle: true });
    clients.push(created);
    return created;
  }

  return {
    endpoint,
    client,
    requests,
    operations,
    injected,
    setFaults(next) {
      faults = next;
      operations.clear();
      injected.clear();
    },
    async createBucket(bucket, region) {
      const s3 = client(region);
      try {
        await s3.send(
          new CreateBucketCommand({
            Bucket: bucket,
            ...(region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
          }),
        );
      } catch (error) {
        const name = (error as Error).name;
        if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
      }
    },
    async close() {
      for (const created of clients) created.destroy();
      await app.close();
    },
  };
}
