/**
 * The websocket under a data channel: opened as the service expects (no extra headers, no compression), the token
 * frame first, then binary frames, with the frames of one burst (the acks of one TCP read) written together. While
 * the stream flows faster than the loop turns, reading pauses briefly after each turn so that the next turn handles
 * a larger burst.
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
/**
 * A loop turn that brought at least this many bytes shows the stream flowing faster than the loop turns: reading
 * then pauses for READ_COALESCE_MS, and the next turn handles everything that arrived meanwhile at once (one ack
 * write, one output chunk, one wake-up) instead of one socket read's worth (about 15 KiB at full speed on
 * loopback). A trickle (an interactive session) never pauses.
 */
const READ_COALESCE_BYTES = 4 * 1024;
/**
 * How long reading pauses after such a turn: an ack and the output wait up to this much longer, inside the agent's
 * retransmission timeout (its round trip plus at least 10 ms, spec section 5). On loopback, where that timeout is
 * tightest, the emulator resends a few messages per 50 MB because of it (BENCHMARKS.md, sixth pass).
 */
const READ_COALESCE_MS = 5;

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
  /** Bytes of the frames received since the last turn ended. */
  private received = 0;
  /** Paused by the owner (backpressure): only `resume` reads again. */
  private held = false;
  /** The brief pause after a fast turn (READ_COALESCE_MS), while it lasts. */
  private coalescing: NodeJS.Timeout | undefined;

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
    ws.on('message', (data: Buffer) => {
      this.received += data.length;
      events.message(data);
    });
    ws.on('pong', () => events.control());
    ws.on('ping', () => events.control());
    ws.on('error', (error) => events.error(error));
    ws.on('close', (code, reason) => {
      this.stopCoalescing();
      events.close(code, reason.toString('utf8'));
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Whether the owner paused reading (`pause`); the brief pauses between fast turns do not count. */
  get isPaused(): boolean {
    return this.held;
  }

  /** Whether reading is in the brief pause after a fast turn (READ_COALESCE_MS). */
  get isCoalescing(): boolean {
    return this.coalescing !== undefined;
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
    if (this.pending.length === 0) setImmediate(this.endTurn);
    this.pending.push(frame);
  }

  /** A websocket ping (keepalive and liveness probe). */
  ping(): void {
    this.ws.ping();
  }

  /** Stops reading the socket (backpressure) until `resume`. */
  pause(): void {
    this.held = true;
    this.ws.pause();
  }

  /** Reads the socket again (at once, or when a pause between fast turns ends). */
  resume(): void {
    this.held = false;
    if (this.coalescing === undefined) this.ws.resume();
  }

  /** A normal close (1000) after the frames sent so far; the peer gets CLOSE_TIMEOUT_MS to answer. */
  close(): void {
    this.stopCoalescing();
    this.flush();
    this.ws.close(1000);
  }

  /** Drops the socket at once, after writing the frames (the acks) already sent. */
  terminate(): void {
    this.stopCoalescing();
    this.flush();
    this.ws.terminate();
  }

  /** The reads that were ready are handled: write their acks, and pause briefly if the stream is flowing fast. */
  private readonly endTurn = (): void => {
    this.flush();
    const received = this.received;
    this.received = 0;
    if (received < READ_COALESCE_BYTES || this.coalescing !== undefined || !this.isOpen) return;
    this.ws.pause();
    this.coalescing = setTimeout(() => this.stopCoalescing(), READ_COALESCE_MS);
  };

  /** Ends a pause between fast turns now; reading goes on unless the owner paused it. */
  private stopCoalescing(): void {
    if (this.coalescing === undefined) return;
    clearTimeout(this.coalescing);
    this.coalescing = undefined;
    if (!this.held) this.ws.resume();
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
