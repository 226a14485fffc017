/**
 * openSessionCapture: connects to a Session Manager data channel, acks and orders the agent's output,
 * performs the handshake, and exposes the output as a byte stream with backpressure. A connection that stops
 * answering pings while it is read is failed as dead; a peer that never answers our close frame is cut off after 2 s.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import WebSocket from 'ws';
import {
  InvalidRequestError,
  ProtocolError,
  SessionClosedError,
  SessionInterruptedError,
} from '../errors.ts';
import {
  type ClientMessage,
  decodeAcknowledge,
  decodeMessage,
  encodeAcknowledge,
  encodeMessage,
  Flags,
  HEADER_LENGTH,
  MessageType,
  PayloadType,
  parseJsonPayload,
} from './codec.ts';
import {
  answerChallenge,
  assertAllowedKmsKey,
  decrypt,
  encrypt,
  generateSessionKeys,
  handshakeResponse,
  kmsParameters,
  parseHandshakeRequest,
  type SessionKeys,
  succeeded,
  unsupported,
} from './handshake.ts';
import { DEFAULT_REORDER_BYTES, DEFAULT_REORDER_CAPACITY, IncomingSequencer } from './incoming.ts';
import { OutgoingBuffer, RESEND_INTERVAL_MS } from './outgoing.ts';

/** What ECS ExecuteCommand returns as `session`. */
export interface SessionCredentials {
  sessionId: string;
  streamUrl: string;
  tokenValue: string;
}

/** Options of one capture. */
export interface CaptureOptions {
  session: SessionCredentials;
  /** 'ecs:<clusterName>_<taskId>_<runtimeId>', the KMS encryption context TargetId. */
  targetId?: string;
  /** Needed only when the agent asks for KMSEncryption (a default client is created if absent). */
  kms?: KMSClient;
  /** TerminateSession on deadline/abort/failure (a default client is created if absent). */
  ssm?: SSMClient;
  /** Epoch ms; at it: send Ctrl-C (0x03), TerminateSession, close, report truncated. */
  deadline?: number;
  /** Same as the deadline, reason 'aborted'. */
  signal?: AbortSignal;
  /** Websocket pings on quiet sessions, default 30000. */
  pingIntervalMs?: number;
  /**
   * A ping that gets neither a pong nor any other frame within this time fails the capture as a dead connection
   * (SessionInterruptedError); default 2 × pingIntervalMs. Never counts while reading is paused for backpressure.
   */
  livenessTimeoutMs?: number;
  /** Size message, sent only after the first output. */
  terminalSize?: { cols: number; rows: number };
  /** Messages that may be held back waiting for a gap to fill (default 10000, as the plugin). */
  reorderCapacity?: number;
  /** Bytes that may be held back waiting for a gap to fill (default 64 MiB); beyond it the capture fails. */
  reorderBytes?: number;
  /**
   * The KMS keys the agent may name for the session's encryption: the cluster's configured ExecuteCommand key
   * (key id, key ARN, alias name or alias ARN). An agent naming any other key is refused before KMS is called; an
   * empty list refuses KMS encryption altogether. Absent: not checked (the caller cannot know the cluster's key).
   */
  kmsKeyIds?: readonly string[];
}

/** How a capture went. */
export interface CaptureSummary {
  truncated: boolean;
  truncatedReason?: 'deadline' | 'aborted';
  bytes: number;
  messages: number;
  duplicates: number;
  outOfOrder: number;
  resends: number;
  encrypted: boolean;
  /** Set when a truncation's TerminateSession call failed (the capture is still reported truncated). */
  terminateError?: string;
}

/** A running capture. */
export interface SessionCapture {
  /** Raw output bytes in sequence order, with backpressure; ends after a normal close or a truncation. */
  output: Readable;
  /**
   * Rejects with SessionInterruptedError (the socket dropped, or went silent past livenessTimeoutMs) |
   * SessionClosedError | ProtocolError | a KMS error; except after a SessionClosedError (the service ended the
   * session), TerminateSession is attempted first.
   */
  done: Promise<CaptureSummary>;
}

/** The protocol level this client implements (the agent compares client versions to enable features). */
export const CLIENT_VERSION = '1.2.0.0';
const OUTPUT_HIGH_WATER_MARK = 256 * 1024;
const MAX_FRAME_BYTES = 8 * 1024 * 1024;
const TERMINATE_TIMEOUT_MS = 5000;
/** After our close frame, how long the peer gets to answer before the socket is destroyed (ws's default is 30 s). */
const CLOSE_TIMEOUT_MS = 2000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The agent's timeout for each handshake step (spec section 5). */
const HANDSHAKE_STEP_TIMEOUT_MS = 15_000;
const CTRL_C = Buffer.from([0x03]);
const DELIVERED_PAYLOAD_TYPES = new Set<number>([
  PayloadType.Output,
  PayloadType.StdErr,
  PayloadType.ExitCode,
]);

type Work = { kind: 'message'; message: ClientMessage } | { kind: 'closed'; message: ClientMessage };

/**
 * Opens the data channel and starts capturing. The output stream carries exactly the bytes the agent sent,
 * each acked message once and in order; `done` settles when the session ends. Bad options throw an
 * InvalidRequestError naming the option, before anything connects.
 */
export function openSessionCapture(options: CaptureOptions): SessionCapture {
  validateOptions(options);
  const capture = new Capture(options);
  capture.start();
  return { output: capture.output, done: capture.done };
}

/** Throws an InvalidRequestError naming the first option that cannot work (before anything connects). */
function validateOptions(options: CaptureOptions): void {
  const { session } = options;
  for (const field of ['sessionId', 'tokenValue', 'streamUrl'] as const) {
    if (typeof session[field] !== 'string' || session[field] === '') {
      throw new InvalidRequestError(`session.${field}`, 'is missing; pass what ECS ExecuteCommand returned');
    }
  }
  if (!URL.canParse(session.streamUrl) || !/^wss?:$/.test(new URL(session.streamUrl).protocol)) {
    throw new InvalidRequestError('session.streamUrl', 'is not a wss:// (or ws://) URL');
  }
  const positiveInteger = (field: string, value: number | undefined, max = Number.MAX_SAFE_INTEGER) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= max)) {
      throw new InvalidRequestError(field, `${value} is not a whole number from 1 to ${max}`);
    }
  };
  positiveInteger('pingIntervalMs', options.pingIntervalMs, MAX_TIMER_MS);
  positiveInteger('livenessTimeoutMs', options.livenessTimeoutMs, MAX_TIMER_MS);
  positiveInteger('reorderCapacity', options.reorderCapacity);
  positiveInteger('reorderBytes', options.reorderBytes);
  if (
    options.kmsKeyIds !== undefined &&
    !options.kmsKeyIds.every((id) => typeof id === 'string' && id !== '')
  ) {
    throw new InvalidRequestError('kmsKeyIds', 'must list non-empty KMS key ids, ARNs or aliases');
  }
  // The agent casts the size to uint16.
  positiveInteger('terminalSize.cols', options.terminalSize?.cols, 0xffff);
  positiveInteger('terminalSize.rows', options.terminalSize?.rows, 0xffff);
  if (options.deadline !== undefined && !Number.isFinite(options.deadline)) {
    throw new InvalidRequestError('deadline', `${options.deadline} is not an epoch time in milliseconds`);
  }
}

class Capture {
  readonly output: Readable;
  readonly done: Promise<CaptureSummary>;
  private readonly options: CaptureOptions;
  private readonly incoming: IncomingSequencer<ClientMessage>;
  private readonly outgoing = new OutgoingBuffer();
  private readonly queue: Work[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private resolve!: (summary: CaptureSummary) => void;
  private reject!: (error: unknown) => void;
  private ws: WebSocket | undefined;
  private finished = false;
  private busy = false;
  private closeReceived = false;
  private nextSequence = 0;
  private keys: SessionKeys | undefined;
  /** One key exchange per session: a second HandshakeRequest is refused. */
  private handshakeSeen = false;
  private sawOutput = false;
  private corked = false;
  /** When a frame last arrived (or reading last resumed): how long the channel has been silent while read. */
  private lastTraffic = Date.now();
  /** Armed by a ping; cleared by any incoming frame and by pausing the socket. */
  private livenessTimer: NodeJS.Timeout | undefined;
  private bytes = 0;
  private messages = 0;
  private onAbort: (() => void) | undefined;
  /** Aborted when the capture ends: cancels a KMS call still in flight. */
  private readonly stopped = new AbortController();

  constructor(options: CaptureOptions) {
    this.options = options;
    this.incoming = new IncomingSequencer(
      options.reorderCapacity ?? DEFAULT_REORDER_CAPACITY,
      options.reorderBytes ?? DEFAULT_REORDER_BYTES,
    );
    this.output = new Readable({
      highWaterMark: OUTPUT_HIGH_WATER_MARK,
      read: () => this.resumeReading(),
      // A consumer that destroys the output has given up: end the session as an abort, not a hang.
      destroy: (error, callback) => {
        if (!this.finished) void this.truncate('aborted');
        callback(error);
      },
    });
    this.done = new Promise<CaptureSummary>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Callers that only consume `output` still see the error there; this keeps the rejection handled.
    this.done.catch(() => {});
  }

  start(): void {
    const { session, signal, deadline } = this.options;
    if (signal?.aborted) {
      void this.truncate('aborted');
      return;
    }
    if (deadline !== undefined && deadline <= Date.now()) {
      void this.truncate('deadline');
      return;
    }
    // closeTimeout is a ws 8 client option that @types/ws does not declare yet. The official plugin reads a
    // message from a text frame as from a binary one, so ws must not fail text frames that are not UTF-8.
    const wsOptions: WebSocket.ClientOptions & { closeTimeout: number } = {
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      closeTimeout: CLOSE_TIMEOUT_MS,
      skipUTF8Validation: true,
    };
    const ws = new WebSocket(session.streamUrl, wsOptions);
    this.ws = ws;
    ws.on('open', () => this.sendToken());
    ws.on('message', (data: Buffer) => this.receive(data));
    ws.on('pong', () => this.heard());
    ws.on('ping', () => this.heard());
    ws.on('error', (error) =>
      this.fail(
        new SessionInterruptedError(`data channel ${session.sessionId}: ${error.message}`, { cause: error }),
      ),
    );
    ws.on('close', (code, reason) => this.socketClosed(code, reason.toString('utf8')));

    const resend = setInterval(() => {
      try {
        const frame = this.outgoing.due();
        if (frame !== undefined) this.send(frame);
      } catch (error) {
        this.fail(error);
      }
    }, RESEND_INTERVAL_MS);
    const pingEvery = this.options.pingIntervalMs ?? 30_000;
    const livenessTimeout = this.options.livenessTimeoutMs ?? Math.min(2 * pingEvery, MAX_TIMER_MS);
    const ping = setInterval(() => {
      if (Date.now() - this.lastTraffic < pingEvery || ws.readyState !== WebSocket.OPEN || ws.isPaused)
        return;
      ws.ping();
      this.livenessTimer ??= setTimeout(() => this.presumeDead(livenessTimeout), livenessTimeout);
    }, pingEvery);
    this.timers.push(resend, ping);
    if (deadline !== undefined) this.armDeadline(deadline);
    if (signal !== undefined) {
      this.onAbort = () => void this.truncate('aborted');
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** A timer waits at most 2^31-1 ms (about 24.8 days), and fires at once beyond it: re-arm until the deadline. */
  private armDeadline(deadline: number): void {
    const wait = deadline - Date.now();
    if (wait <= 0) {
      void this.truncate('deadline');
      return;
    }
    this.timers.push(setTimeout(() => this.armDeadline(deadline), Math.min(wait, MAX_TIMER_MS)));
  }

  private sendToken(): void {
    this.ws?.send(
      JSON.stringify({
        MessageSchemaVersion: '1.0',
        RequestId: randomUUID(),
        TokenValue: this.options.session.tokenValue,
        ClientId: randomUUID(),
        ClientVersion: CLIENT_VERSION,
      }),
    );
  }

  private send(frame: Buffer): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.corkUntilNextTick(this.ws);
    this.ws.send(frame);
  }

  /**
   * ws emits every frame of one TCP read synchronously; corking its socket until the next tick turns the acks
   * of a burst into one write instead of one syscall per ack. `_socket` is ws's (undocumented) net.Socket.
   */
  private corkUntilNextTick(ws: WebSocket): void {
    if (this.corked) return;
    const socket = (ws as unknown as { _socket?: Socket })._socket;
    if (socket === undefined) return;
    this.corked = true;
    socket.cork();
    process.nextTick(() => {
      this.corked = false;
      socket.uncork();
    });
  }

  /** Sends one input_stream_data message and keeps it until acked. */
  private sendStream(payloadType: number, payload: Buffer): void {
    const sequence = this.nextSequence;
    this.nextSequence += 1;
    const frame = encodeMessage({
      messageType: MessageType.InputStreamData,
      sequenceNumber: BigInt(sequence),
      flags: Flags.None,
      payloadType,
      payload,
    });
    this.outgoing.add(sequence, frame);
    this.send(frame);
  }

  /** Any incoming frame (message, ping or pong) shows the connection is alive. */
  private heard(): void {
    this.lastTraffic = Date.now();
    clearTimeout(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  /** A ping went unanswered, and nothing else arrived, while the socket was being read. */
  private presumeDead(livenessTimeout: number): void {
    this.livenessTimer = undefined;
    if (this.ws?.isPaused) return;
    this.fail(
      new SessionInterruptedError(
        `data channel ${this.options.session.sessionId}: no pong or other frame for ${Date.now() - this.lastTraffic} ms, beyond the liveness timeout of ${livenessTimeout} ms after a websocket ping; the connection is presumed dead`,
      ),
    );
  }

  /** Backpressure: stop reading the socket. Unread pongs then prove nothing, so liveness stops counting. */
  private pauseReading(): void {
    this.ws?.pause();
    clearTimeout(this.livenessTimer);
    this.livenessTimer = undefined;
  }

  /** The consumer wants more: read again, and count silence only from now on. */
  private resumeReading(): void {
    if (this.ws?.isPaused !== true) return;
    this.ws.resume();
    this.lastTraffic = Date.now();
  }

  private receive(data: Buffer): void {
    if (this.finished) return;
    this.heard();
    try {
      const message = decodeMessage(data);
      switch (message.messageType) {
        case MessageType.OutputStreamData:
          this.receiveStream(message);
          break;
        case MessageType.Acknowledge:
          this.outgoing.ack(decodeAcknowledge(message).AcknowledgedMessageSequenceNumber);
          break;
        case MessageType.ChannelClosed:
          this.closeReceived = true;
          this.enqueue({ kind: 'closed', message });
          break;
        default:
          // start_publication / pause_publication (never acked) and types meant for other peers.
          break;
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private receiveStream(message: ClientMessage): void {
    const sequence = message.sequenceNumber;
    if (sequence < 0n || sequence > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtocolError('SequenceNumber', `${sequence} is not a valid stream sequence number`);
    }
    // Ack first, duplicates included, before any slow work (but never a message that cannot be buffered).
    const bytes = message.payload.length + HEADER_LENGTH;
    if (this.incoming.fits(Number(sequence), bytes)) this.send(encodeAcknowledge(message));
    const arrival = this.incoming.accept(
      Number(sequence),
      message,
      (next) => this.enqueue({ kind: 'message', message: next }),
      bytes,
    );
    if (arrival !== 'duplicate') this.messages += 1;
  }

  /** Runs in-order work synchronously unless an async step (the KMS call) is in progress. */
  private enqueue(work: Work): void {
    if (this.busy || this.queue.length > 0) {
      this.queue.push(work);
      return;
    }
    this.process(work);
  }

  private process(work: Work): void {
    if (this.finished) return;
    try {
      if (work.kind === 'closed') {
        this.channelClosed(work.message);
        return;
      }
      const pending = this.handle(work.message);
      if (pending !== undefined) {
        this.busy = true;
        pending.then(
          () => {
            this.busy = false;
            this.drain();
          },
          (error: unknown) => this.fail(error),
        );
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private drain(): void {
    while (!this.busy && !this.finished) {
      const work = this.queue.shift();
      if (work === undefined) return;
      this.process(work);
    }
  }

  /** Handles one in-order stream message; returns a promise only for async steps. */
  private handle(message: ClientMessage): Promise<void> | undefined {
    const { payloadType } = message;
    if (DELIVERED_PAYLOAD_TYPES.has(payloadType)) {
      this.deliver(message);
      return undefined;
    }
    switch (payloadType) {
      case PayloadType.HandshakeRequest:
        return this.handshake(message.payload);
      case PayloadType.EncChallengeRequest:
        if (this.keys === undefined) {
          throw new ProtocolError('EncChallengeRequest', 'arrived before the KMS key exchange');
        }
        this.sendStream(PayloadType.EncChallengeResponse, answerChallenge(this.keys, message.payload));
        return undefined;
      default:
        // HandshakeComplete (its CustomerMessage is not command output), Flag and unused types.
        return undefined;
    }
  }

  private deliver(message: ClientMessage): void {
    const payload =
      this.keys === undefined
        ? message.payload
        : decrypt(
            this.keys.decryptKey,
            message.payload,
            `output_stream_data ${message.sequenceNumber} Payload`,
          );
    this.bytes += payload.length;
    if (!this.sawOutput) {
      this.sawOutput = true;
      const size = this.options.terminalSize;
      if (size !== undefined) {
        this.sendStream(PayloadType.Size, Buffer.from(JSON.stringify({ cols: size.cols, rows: size.rows })));
      }
    }
    if (payload.length > 0 && !this.output.push(payload)) this.pauseReading();
  }

  private async handshake(payload: Buffer): Promise<void> {
    if (this.handshakeSeen) {
      throw new ProtocolError(
        'HandshakeRequest',
        'arrived a second time in one session; one key exchange per session is allowed',
      );
    }
    this.handshakeSeen = true;
    const request = parseHandshakeRequest(payload);
    if (request.RequestedClientActions.filter((a) => a.ActionType === 'KMSEncryption').length > 1) {
      throw new ProtocolError(
        'HandshakeRequest.RequestedClientActions',
        'asks for KMSEncryption more than once; one key exchange per session is allowed',
      );
    }
    const processed = [];
    for (const action of request.RequestedClientActions) {
      if (action.ActionType === 'SessionType') {
        processed.push(succeeded('SessionType'));
      } else if (action.ActionType === 'KMSEncryption') {
        const { KMSKeyId } = kmsParameters(action);
        if (this.options.kmsKeyIds !== undefined) assertAllowedKmsKey(KMSKeyId, this.options.kmsKeyIds);
        this.options.kms ??= new KMSClient({});
        // The agent abandons the handshake after 15 s; a later answer is of no use, and neither is one after the end.
        const timeout = AbortSignal.timeout(HANDSHAKE_STEP_TIMEOUT_MS);
        const { keys, ciphertext } = await generateSessionKeys(
          this.options.kms,
          KMSKeyId,
          this.options.session.sessionId,
          this.options.targetId,
          AbortSignal.any([timeout, this.stopped.signal]),
        ).catch((error: unknown) => {
          if (!timeout.aborted || this.finished) throw error;
          throw new SessionInterruptedError(
            `KMS GenerateDataKey on key ${JSON.stringify(KMSKeyId)} did not answer within ${HANDSHAKE_STEP_TIMEOUT_MS / 1000} s, when the agent abandons the handshake; check the network route to KMS`,
            { cause: error },
          );
        });
        if (this.finished) return;
        this.keys = keys;
        processed.push(
          succeeded('KMSEncryption', {
            KMSCipherTextKey: ciphertext.toString('base64'),
            KMSCipherTextHash: null,
          }),
        );
      } else {
        processed.push(unsupported(action.ActionType));
      }
    }
    this.sendStream(PayloadType.HandshakeResponse, handshakeResponse(CLIENT_VERSION, processed));
  }

  private channelClosed(message: ClientMessage): void {
    const content = parseJsonPayload(message, 'channel_closed');
    if (this.incoming.pending > 0) {
      throw new ProtocolError(
        'SequenceNumber',
        `channel_closed arrived while ${this.incoming.pending} acked messages wait for missing sequence ${this.incoming.expected}; the output is incomplete`,
      );
    }
    const reason = typeof content.Output === 'string' ? content.Output.trim() : '';
    // The reason is service text: quoted (escaped) and bounded before it reaches an error message or a log line.
    if (reason !== '') throw new SessionClosedError(JSON.stringify(reason.slice(0, 1000)));
    this.finish();
    this.ws?.close(1000);
    this.output.push(null);
    this.resolve(this.summary());
  }

  private socketClosed(code: number, reason: string): void {
    if (this.finished || this.closeReceived) return;
    const why = reason === '' ? `code ${code}` : `code ${code}, ${JSON.stringify(reason.slice(0, 1000))}`;
    this.fail(
      new SessionInterruptedError(
        `data channel ${this.options.session.sessionId} closed without channel_closed (${why}) after ${this.messages} messages`,
      ),
    );
  }

  /** Deadline or abort: Ctrl-C, TerminateSession, close, and end the output as truncated. */
  private async truncate(reason: 'deadline' | 'aborted'): Promise<void> {
    if (this.finished) return;
    this.finish();
    if (this.ws?.readyState === WebSocket.OPEN) {
      const keystroke = this.keys === undefined ? CTRL_C : encrypt(this.keys.encryptKey, CTRL_C);
      try {
        this.sendStream(PayloadType.Output, keystroke);
      } catch {
        // No room left in flight: TerminateSession below stops the command anyway.
      }
    }
    const terminateError = await this.terminateSession();
    if (this.ws !== undefined) {
      this.ws.resume();
      this.ws.close(1000);
    }
    this.output.push(null);
    this.resolve({
      ...this.summary(),
      truncated: true,
      truncatedReason: reason,
      ...(terminateError === undefined ? {} : { terminateError }),
    });
  }

  /**
   * Fails the capture. Unless the service already closed the channel, the session may still be running the
   * command on the agent: it is terminated (best effort) before the output errors and `done` rejects, so a
   * caller that gives up at the first error (a Lambda returning) has not left it running, and a retry never
   * runs it twice.
   */
  private fail(error: unknown): void {
    if (this.finished) return;
    this.finish();
    this.ws?.terminate();
    const settle = () => {
      this.output.destroy(error instanceof Error ? error : new Error(String(error)));
      this.reject(error);
    };
    if (this.closeReceived || error instanceof SessionClosedError) settle();
    else void this.terminateSession().then(settle);
  }

  /** SSM TerminateSession, bounded in time; returns the failure as text instead of throwing. */
  private async terminateSession(): Promise<string | undefined> {
    try {
      this.options.ssm ??= new SSMClient({});
      await this.options.ssm.send(
        new TerminateSessionCommand({ SessionId: this.options.session.sessionId }),
        { abortSignal: AbortSignal.timeout(TERMINATE_TIMEOUT_MS) },
      );
      return undefined;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }

  private finish(): void {
    this.finished = true;
    this.stopped.abort();
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.livenessTimer);
    if (this.onAbort !== undefined) this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private summary(): CaptureSummary {
    return {
      truncated: false,
      bytes: this.bytes,
      messages: this.messages,
      duplicates: this.incoming.duplicates,
      outOfOrder: this.incoming.outOfOrder,
      resends: this.outgoing.resends,
      encrypted: this.keys !== undefined,
    };
  }
}
