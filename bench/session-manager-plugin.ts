/**
 * The official session-manager-plugin, run side by side with our client in the capture benchmark when
 * SSM_PLUGIN=/path/to/session-manager-plugin is set (build it from its public source; nothing of it is in this
 * repository). It is invoked as the AWS CLI does for ECS: `<session JSON> <region> StartSession <profile>
 * <{"Target":...}> <ssm endpoint>`, and connects to the emulator's ws:// stream URL as given.
 *
 * Its KMS client has no endpoint override (aws-sdk-go 1.54 reads no AWS_ENDPOINT_URL), so for KMS sessions the
 * bench's server child runs an HTTPS CONNECT proxy (HTTPS_PROXY) that terminates TLS for kms.<region>.amazonaws.com
 * with a throwaway self-signed certificate (trusted through AWS_CA_BUNDLE) and forwards to the emulator.
 * Needs openssl (for the certificate) and GNU time (/usr/bin/time, for the plugin's CPU and peak RSS; whole-process.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProcessRun, runTimedProcess } from './whole-process.ts';

/** A CONNECT proxy in front of a TLS server that forwards every request to `upstream` (the emulator's HTTP API). */
export interface KmsProxy {
  proxyUrl: string;
  caFile: string;
  close(): void;
}

/** Starts the KMS TLS proxy for `region` (server-child side). */
export async function startKmsProxy(upstream: string, region: string): Promise<KmsProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'kms-proxy-'));
  const host = `kms.${region}.amazonaws.com`;
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      keyFile,
      '-out',
      caFile,
      '-subj',
      `/CN=${host}`,
      '-addext',
      `subjectAltName=DNS:${host}`,
    ],
    { stdio: 'ignore' },
  );
  const target = new URL(upstream);
  const tls = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (req, res) => {
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  const tlsPort = (tls.address() as AddressInfo).port;
  const proxy = createHttpServer();
  proxy.on('connect', (_req, client, head) => {
    const upstreamSocket = connect(tlsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstreamSocket.write(head);
      upstreamSocket.pipe(client);
      client.pipe(upstreamSocket);
    });
    upstreamSocket.on('error', () => client.destroy());
    client.on('error', () => upstreamSocket.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    caFile,
    close() {
      proxy.close();
      tls.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the plugin on one session and hashes its stdout without the lines the plugin adds around the command's
 * output ("Starting session with SessionId", the KMS CustomerMessage, "Exiting session with sessionId").
 */
export function runPlugin(options: {
  plugin: string;
  session: { sessionId: string; streamUrl: string; tokenValue: string };
  region: string;
  target: string;
  ssmEndpoint: string;
  kmsProxy?: { proxyUrl: string; caFile: string };
}): Promise<ProcessRun> {
  const { session } = options;
  return runTimedProcess({
    command: options.plugin,
    args: [
      JSON.stringify(session),
      options.region,
      'StartSession',
      '',
      JSON.stringify({ Target: options.target }),
      options.ssmEndpoint,
    ],
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: options.region,
      ...(options.kmsProxy
        ? { HTTPS_PROXY: options.kmsProxy.proxyUrl, AWS_CA_BUNDLE: options.kmsProxy.caFile }
        : {}),
    },
    prefix: Buffer.from(
      `\nStarting session with SessionId: ${session.sessionId}\n${options.kmsProxy ? 'This session is encrypted using AWS KMS.\n' : ''}`,
    ),
    suffix: Buffer.from(`\n\nExiting session with sessionId: ${session.sessionId}.\n\n`),
  });
}
