import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { channelClosedFrame, collect, type FakeSsm, outputFrame, startFakeSsm } from './fake-agent.ts';

/** Far below ws's own 30 s close timeout, far above the client's bound of 2 s on a loaded machine. */
const GRACE_MS = 10_000;
const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked server-to-client binary websocket frame. */
function binaryFrame(payload: Buffer): Buffer {
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x82, payload.length]), payload]);
  const header = Buffer.from([0x82, 126, 0, 0]);
  header.writeUInt16BE(payload.length, 2);
  return Buffer.concat([header, payload]);
}

interface RudePeer {
  url: string;
  /** Each connection, once upgraded; `ended` resolves when the client's side of the TCP connection goes away. */
  nextConnection(): Promise<{ socket: Socket; ended: Promise<void> }>;
  close(): Promise<void>;
}

/**
 * A websocket peer that completes the opening handshake and then reads (and ignores) everything the client
 * sends: it never answers a close frame and never closes the TCP connection itself.
 */
async function startRudePeer(): Promise<RudePeer> {
  const sockets = new Set<Socket>();
  const waiting: Array<(connection: { socket: Socket; ended: Promise<void> }) => void> = [];
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
      waiting.shift()?.({ socket, ended });
    };
    socket.on('data', onRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/v1/data-channel/session-rude?role=publish_subscribe`,
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves 'closed' if `ended` settles within GRACE_MS, else 'still open'. */
function within(ended: Promise<void>): Promise<'closed' | 'still open'> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<'still open'>((resolve) => {
    timer = setTimeout(() => resolve('still open'), GRACE_MS);
  });
  return Promise.race([ended.then(() => 'closed' as const), wait]).finally(() => clearTimeout(timer));
}

describe('ssm-session capture: a peer that never completes the close handshake', () => {
  let peer: RudePeer;
  let ssm: FakeSsm;
  beforeAll(async () => {
    peer = await startRudePeer();
    ssm = await startFakeSsm();
  });
  afterAll(async () => {
    await ssm.close();
    await peer.close();
  });

  const session = () => ({ sessionId: 'session-rude', streamUrl: peer.url, tokenValue: 'token' });

  it('drops the connection soon after a normal close instead of lingering for ws’s 30 s close timeout', async () => {
    // Arrange
    const capture = openSessionCapture({ session: session(), ssm: ssm.client });
    const output = collect(capture.output);
    const connection = await peer.nextConnection();

    // Act
    connection.socket.write(binaryFrame(outputFrame(0, 'all done')));
    connection.socket.write(binaryFrame(channelClosedFrame()));

    // Assert
    await expect(capture.done).resolves.toMatchObject({ truncated: false, messages: 1 });
    expect((await output).toString()).toBe('all done');
    await expect(within(connection.ended)).resolves.toBe('closed');
  });

  it('drops the connection soon after a truncation closes it', async () => {
    // Arrange
    const controller = new AbortController();
    const capture = openSessionCapture({ session: session(), ssm: ssm.client, signal: controller.signal });
    const output = collect(capture.output);
    const connection = await peer.nextConnection();

    // Act
    controller.abort();

    // Assert
    await expect(capture.done).resolves.toMatchObject({ truncated: true, truncatedReason: 'aborted' });
    await output;
    await expect(within(connection.ended)).resolves.toBe('closed');
  });
});
