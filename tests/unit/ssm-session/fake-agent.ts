/**
 * A scriptable data-channel peer for precise protocol tests: a ws server on 127.0.0.1 (port 0) that lets a test
 * send exact frames and inspect every frame the client sent. Not a test file itself.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createClock, type TimerId } from '@sinonjs/fake-timers';
import { type WebSocket, WebSocketServer } from 'ws';
import { decodeAcknowledge } from '#lib/ssm-session/acknowledge.ts';
import {
  type ClientMessage,
  decodeMessage,
  encodeMessage,
  Flags,
  MessageType,
  PayloadType,
} from '#lib/ssm-session/codec.ts';
import type { Clock } from '#lib/ssm-session/index.ts';

export interface FakeConnection {
  socket: WebSocket;
  /** The TEXT token frame, parsed; raw text kept for field-order checks. */
  token: Promise<{ raw: string; json: Record<string, unknown> }>;
  received: ClientMessage[];
  /** Resolves once a client frame matching the predicate has arrived. */
  waitFor(predicate: (message: ClientMessage) => boolean, timeoutMs?: number): Promise<ClientMessage>;
  /** Sequence numbers the client acked (output_stream_data acks), in arrival order. */
  ackedSequences(): number[];
  /** The client's input_stream_data messages. */
  inputs(): ClientMessage[];
  sendOutput(sequence: number, payload: Buffer | string, payloadType?: number): void;
  sendFrame(frame: Buffer): void;
  sendAck(acked: ClientMessage): void;
  sendChannelClosed(output?: string): void;
  closed: Promise<{ code: number }>;
  /** Websocket pings received from the client so far. */
  pings(): number;
  /** Resolves once the client has sent `count` pings in all. */
  waitForPings(count: number): Promise<void>;
  /**
   * Pings the client and resolves on its pong: by then the client has read every frame sent before (its pong
   * also counts as traffic for the client's liveness, as any frame does).
   */
  roundTrip(): Promise<void>;
}

export interface FakeAgent {
  url: string;
  nextConnection(): Promise<FakeConnection>;
  close(): Promise<void>;
}

/** Builds an output_stream_data frame the way the agent does (SYN on sequence 0). */
export function outputFrame(
  sequence: number,
  payload: Buffer | string,
  payloadType: number = PayloadType.Output,
) {
  return encodeMessage({
    messageType: MessageType.OutputStreamData,
    sequenceNumber: BigInt(sequence),
    flags: sequence === 0 ? Flags.Syn : Flags.None,
    payloadType,
    payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  });
}

/** Builds a channel_closed frame; a non-empty Output is the service's reason for ending the session. */
export function channelClosedFrame(output = ''): Buffer {
  return encodeMessage({
    messageType: MessageType.ChannelClosed,
    sequenceNumber: 0n,
    flags: Flags.Ack,
    payloadType: 0,
    payload: Buffer.from(
      JSON.stringify({
        MessageId: '00112233-4455-6677-8899-aabbccddeeff',
        CreatedDate: new Date().toISOString(),
        DestinationId: 'client',
        SessionId: 'session',
        MessageType: 'channel_closed',
        SchemaVersion: 1,
        Output: output,
      }),
    ),
  });
}

/** Starts the fake agent server; `autoPong: false` makes a peer that never answers the client's pings. */
export async function startFakeAgent(options: { autoPong?: boolean } = {}): Promise<FakeAgent> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, autoPong: options.autoPong ?? true });
  const waiting: Array<(connection: FakeConnection) => void> = [];
  const ready: FakeConnection[] = [];

  wss.on('connection', (socket) => {
    const received: ClientMessage[] = [];
    const acked: number[] = [];
    const listeners = new Set<() => void>();
    let resolveToken!: (token: { raw: string; json: Record<string, unknown> }) => void;
    const token = new Promise<{ raw: string; json: Record<string, unknown> }>((r) => {
      resolveToken = r;
    });
    const closed = new Promise<{ code: number }>((r) => socket.on('close', (code) => r({ code })));
    let pings = 0;
    const pingListeners = new Set<() => void>();
    socket.on('ping', () => {
      pings += 1;
      for (const listener of pingListeners) listener();
    });
    socket.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const raw = data.toString('utf8');
        resolveToken({ raw, json: JSON.parse(raw) as Record<string, unknown> });
        return;
      }
      const message = decodeMessage(data);
      received.push(message);
      if (message.messageType === MessageType.Acknowledge) {
        const ack = decodeAcknowledge(message);
        if (ack.AcknowledgedMessageType === MessageType.OutputStreamData) {
          acked.push(ack.AcknowledgedMessageSequenceNumber);
        }
      }
      for (const listener of listeners) listener();
    });
    const connection: FakeConnection = {
      socket,
      token,
      received,
      closed,
      waitFor(predicate, timeoutMs = 5000) {
        return new Promise((resolve, reject) => {
          let scanned = 0;
          const check = () => {
            const found = received.slice(scanned).find(predicate);
            scanned = Math.max(0, received.length - 1);
            if (found === undefined) return;
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          };
          const timer = setTimeout(() => {
            listeners.delete(check);
            reject(new Error('fake agent: expected client message did not arrive'));
          }, timeoutMs);
          listeners.add(check);
          check();
        });
      },
      ackedSequences() {
        return acked;
      },
      pings() {
        return pings;
      },
      waitForPings(count) {
        return new Promise((resolve) => {
          const check = () => {
            if (pings < count) return;
            pingListeners.delete(check);
            resolve();
          };
          pingListeners.add(check);
          check();
        });
      },
      roundTrip() {
        return new Promise((resolve) => {
          socket.once('pong', () => resolve());
          socket.ping();
        });
      },
      inputs() {
        return received.filter((m) => m.messageType === MessageType.InputStreamData);
      },
      sendOutput(sequence, payload, payloadType) {
        socket.send(outputFrame(sequence, payload, payloadType));
      },
      sendFrame(frame) {
        socket.send(frame);
      },
      sendAck(acked) {
        socket.send(
          encodeMessage({
            messageType: MessageType.Acknowledge,
            sequenceNumber: 0n,
            flags: Flags.Ack,
            payloadType: 0,
            payload: Buffer.from(
              JSON.stringify({
                AcknowledgedMessageType: acked.messageType,
                AcknowledgedMessageId: acked.messageId,
                AcknowledgedMessageSequenceNumber: Number(acked.sequenceNumber),
                IsSequentialMessage: true,
              }),
            ),
          }),
        );
      },
      sendChannelClosed(output = '') {
        socket.send(channelClosedFrame(output));
      },
    };
    const waiter = waiting.shift();
    if (waiter === undefined) ready.push(connection);
    else waiter(connection);
  });

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    nextConnection() {
      const first = ready.shift();
      if (first !== undefined) return Promise.resolve(first);
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Session credentials pointing at the fake agent. */
export function credentials(agent: FakeAgent, sessionId = 'ecs-execute-command-0123456789abcdef') {
  return {
    sessionId,
    streamUrl: `${agent.url}/v1/data-channel/${sessionId}?role=publish_subscribe`,
    tokenValue: 'token-value-for-tests',
  };
}

/** Reads a Readable to the end into one Buffer. */
export async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** A loopback SSM JSON-1.1 endpoint that records TerminateSession calls (and answers them with success). */
export interface FakeSsm {
  client: SSMClient;
  terminated: string[];
  close(): Promise<void>;
}

/** Starts the fake SSM endpoint on 127.0.0.1 (port 0). */
export async function startFakeSsm(): Promise<FakeSsm> {
  const terminated: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const { SessionId } = JSON.parse(body) as { SessionId: string };
      if (request.headers['x-amz-target'] === 'AmazonSSM.TerminateSession') terminated.push(SessionId);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ SessionId }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SSMClient({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
  return {
    client,
    terminated,
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A clock the test moves (`tick`), starting at the real time so that deadlines are epoch times as in production. */
export interface TestClock {
  clock: Clock;
  /** Moves the clock on by `ms`, firing every timer due on the way (synchronously). */
  tick(ms: number): void;
}

/** Creates a TestClock on @sinonjs/fake-timers, without touching the global timers. */
export function testClock(): TestClock {
  const fake = createClock(Date.now());
  const clock: Clock = {
    now: () => fake.now,
    setTimeout: (callback, ms) => fake.setTimeout(callback, ms),
    clearTimeout: (timer) => fake.clearTimeout(timer as TimerId),
    setInterval: (callback, ms) => fake.setInterval(callback, ms),
    clearInterval: (timer) => fake.clearInterval(timer as TimerId),
  };
  return { clock, tick: (ms) => void fake.tick(ms) };
}
