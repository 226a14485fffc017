/**
 * The websocket under a data channel: opened as the service expects (no extra headers, no compression), the token
 * frame first, then binary frames, with the frames of one burst (the acks of one TCP read) written together.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { maskedBinaryFrames } from './ws-frame.ts';

/** The protocol level this client implements (the agent compares client versions to enable features). */
export const CLIENT_VERSION = '1.2.0.0';
const MAX_FRAME_BYTES = 8 * 1024 * 1024;
/** After our close frame, how long the peer gets to answer before the socket is destroyed (ws's default is 30 s). */
const CLOSE_TIMEOUT_MS = 2000;

/** What the connection reports to its owner. */
export interface ConnectionEvents {
  /** One binary (or text) frame after the token. */
  message(data: Buffer): void;
  /** A ping or pong arrived. */
  control(): void;
  error(error: Error): void;
  close(code: number, reason: string): void;
}

/** One websocket to a data channel's stream URL. */
export class DataChannelConnection {
  private readonly ws: WebSocket;
  /** Payloads sent since the last write, framed and written together once the ready reads are handled. */
  private pending: Buffer[] = [];

  /** Connects to `streamUrl` and sends the token frame once open. */
  constructor(streamUrl: string, tokenValue: string, events: ConnectionEvents) {
    // closeTimeout is a ws 8 client option that @types/ws does not declare yet. The official plugin reads a
    // message from a text frame as from a binary one, so ws must not fail text frames that are not UTF-8.
    const wsOptions: WebSocket.ClientOptions & { closeTimeout: number } = {
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      closeTimeout: CLOSE_TIMEOUT_MS,
      skipUTF8Validation: true,
    };
    const ws = new WebSocket(streamUrl, wsOptions);
    this.ws = ws;
    ws.on('open', () => this.sendToken(tokenValue));
    ws.on('message', (data: Buffer) => events.message(data));
    ws.on('pong', () => events.control());
    ws.on('ping', () => events.control());
    ws.on('error', (error) => events.error(error));
    ws.on('close', (code, reason) => events.close(code, reason.toString('utf8')));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get isPaused(): boolean {
    return this.ws.isPaused;
  }

  /**
   * Sends one binary frame if the socket is open (a frame sent later is dropped, as a closed socket would). ws
   * emits every frame of one TCP read synchronously, and libuv reads a socket several times in one poll: the
   * frames are kept here and written to ws's socket, masked, in one write once the loop has handled the reads that
   * were ready (setImmediate), instead of one ws.send and one buffered socket write per ack. The caller must not
   * change `frame` after the call.
   */
  send(frame: Buffer): void {
    if (!this.isOpen) return;
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(frame);
  }

  /** A websocket ping (keepalive and liveness probe). */
  ping(): void {
    this.ws.ping();
  }

  /** Stops reading the socket (backpressure). */
  pause(): void {
    this.ws.pause();
  }

  /** Reads the socket again. */
  resume(): void {
    this.ws.resume();
  }

  /** A normal close (1000) after the frames sent so far; the peer gets CLOSE_TIMEOUT_MS to answer. */
  close(): void {
    this.flush();
    this.ws.close(1000);
  }

  /** Drops the socket at once, after writing the frames (the acks) already sent. */
  terminate(): void {
    this.flush();
    this.ws.terminate();
  }

  private sendToken(tokenValue: string): void {
    this.ws.send(
      JSON.stringify({
        MessageSchemaVersion: '1.0',
        RequestId: randomUUID(),
        TokenValue: tokenValue,
        ClientId: randomUUID(),
        ClientVersion: CLIENT_VERSION,
      }),
    );
  }

  /**
   * Writes the pending frames to ws's socket (`_socket`, its undocumented net.Socket): ws has no API to send
   * pre-framed data. Frames pending when the websocket stopped being open (the peer's close arrived in the same
   * read) are dropped, as ws drops a send after close.
   */
  private flush(): void {
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (!this.isOpen || socket === undefined) return;
    socket.write(maskedBinaryFrames(frames));
  }
}
