/**
 * The local S3: fauxqs (an in-memory S3 emulator) served from this process on 127.0.0.1.
 * fauxqs's own `startFauxqs` always binds 0.0.0.0, so its app is built and listened on loopback here.
 * Clients must use path-style addressing (AWS_S3_FORCE_PATH_STYLE=true in the sandbox env).
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';

export interface LocalS3 {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  /** A path-style client on the local endpoint. */
  client(region: string): S3Client;
  /** Requests received, by HTTP method (what S3 bills by: GET/HEAD vs PUT/POST/LIST). */
  requests: Map<string, number>;
  /** Creates a bucket through the S3 API (idempotent). */
  createBucket(bucket: string, region: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts fauxqs on 127.0.0.1 (port 0 unless given). */
export async function startLocalS3(options: { port?: number; region?: string } = {}): Promise<LocalS3> {
  const app = buildApp({ logger: false, host: '127.0.0.1', defaultRegion: options.region ?? 'us-east-1' });
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
