import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: answer it itself, or forward it (optionally answering late). */
export type ProxyDecision =
  | { kind: 'forward'; delayAnswerMs?: number; onAnswered?: (status: number) => void }
  | { kind: 'fail'; status: number; code: string };

export interface S3FaultProxy {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of a local S3 server that injects faults: `decide` sees each request
 * and either fails it with an S3 XML error or forwards it, optionally holding the answer back.
 */
export async function startS3FaultProxy(
  target: string,
  decide: (req: IncomingMessage) => ProxyDecision,
): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const decision = decide(req);
    if (decision.kind === 'fail') {
      req.resume();
      req.on('end', () => {
        res.writeHead(decision.status, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0"?><Error><Code>${decision.code}</Code><Message>injected</Message></Error>`,
        );
      });
      return;
    }
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        setTimeout(() => {
          decision.onAnswered?.(answer.statusCode ?? 0);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        }, decision.delayAnswerMs ?? 0);
      },
    );
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
