/**
 * A websocket peer that completes the opening handshake and then reads (and ignores) everything the client sends:
 * it never answers a close frame and never closes the TCP connection itself. Binds 127.0.0.1, port 0. Not a test file.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked server-to-client binary websocket frame (payloads under 64 KiB). */
export function binaryFrame(payload: Buffer): Buffer {
  if (payload.length > 0xffff) throw new Error('rude peer: payloads of 64 KiB or more are not supported');
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x82, payload.length]), payload]);
  const header = Buffer.from([0x82, 126, 0, 0]);
  header.writeUInt16BE(payload.length, 2);
  return Buffer.concat([header, payload]);
}

export interface RudePeer {
  url: string;
  /** Each connection, once upgraded; `ended` resolves when the client's side of the TCP connection goes away. */
  nextConnection(): Promise<{ socket: Socket; ended: Promise<void> }>;
  close(): Promise<void>;
}

/** Starts the rude peer. */
export async function startRudePeer(): Promise<RudePeer> {
  const sockets = new Set<Socket>();
  type Connection = { socket: Socket; ended: Promise<void> };
  const waiting: Array<(connection: Connection) => void> = [];
  const ready: Connection[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    let request = '';
    const onRequest = (data: Buffer) => {
      request += data.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      socket.off('data', onRequest);
      socket.on('data', () => {});
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(request)?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      const waiter = waiting.shift();
      if (waiter === undefined) ready.push({ socket, ended });
      else waiter({ socket, ended });
    };
    socket.on('data', onRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/v1/data-channel/session-rude?role=publish_subscribe`,
    nextConnection() {
      const first = ready.shift();
      if (first !== undefined) return Promise.resolve(first);
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
