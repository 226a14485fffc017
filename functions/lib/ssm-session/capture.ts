/**
 * openSessionCapture: connects to a Session Manager data channel, acks and orders the agent's output,
 * performs the handshake, and exposes the output as a byte stream with backpressure. A connection that stops
 * answering pings while it is read is failed as dead; a peer that never answers our close frame is cut off after 2 s.
 */
import { Readable } from 'node:stream';
import { ProtocolError, SessionClosedError, SessionInterruptedError } from '../errors.ts';
import { type Clock, systemClock } from './clock.ts';
import { type ClientMessage, decodeMessage, MessageType, PayloadType, parseJsonPayload } from './codec.ts';
import { DataChannelConnection } from './connection.ts';
import { answerChallenge, decrypt, encrypt, type SessionKeys } from './handshake.ts';
import { answerHandshake } from './key-exchange.ts';
import { Liveness } from './liveness.ts';
import {
  type CaptureOptions,
  type CaptureSummary,
  MAX_TIMER_MS,
  type SessionCapture,
  validateOptions,
} from './options.ts';
import { StreamSequencing } from './sequencing.ts';
import { SerialQueue } from './serial-queue.ts';
import { terminateSession } from './terminate.ts';

const OUTPUT_HIGH_WATER_MARK = 256 * 1024;
/**
 * The payloads delivered in one burst (one TCP read) are pushed as one chunk, at most this big: a consumer then
 * pays its per-chunk cost (a file write, a hash update, a stream hop) once per burst instead of once per 1 KiB.
 */
const OUTPUT_BATCH_BYTES = 64 * 1024;
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

class Capture {
  readonly output: Readable;
  readonly done: Promise<CaptureSummary>;
  private readonly options: CaptureOptions;
  private readonly streams: StreamSequencing;
  private readonly liveness: Liveness;
  private readonly work: SerialQueue<Work>;
  private readonly clock: Clock;
  private readonly timers: unknown[] = [];
  private resolve!: (summary: CaptureSummary) => void;
  private reject!: (error: unknown) => void;
  private connection: DataChannelConnection | undefined;
  private finished = false;
  private closeReceived = false;
  private keys: SessionKeys | undefined;
  /** One key exchange per session: a second HandshakeRequest is refused. */
  private handshakeSeen = false;
  private sawOutput = false;
  private bytes = 0;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private flushQueued = false;
  /** Queues one in-order stream message for handling. */
  private readonly enqueue = (message: ClientMessage): void => this.work.push({ kind: 'message', message });
  private onAbort: (() => void) | undefined;
  /** Aborted when the capture ends: cancels a KMS call still in flight. */
  private readonly stopped = new AbortController();

  constructor(options: CaptureOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.streams = new StreamSequencing(options, this.clock, (frame) => this.connection?.send(frame));
    this.liveness = new Liveness(options, this.clock, (silentMs, timeoutMs) =>
      this.fail(
        new SessionInterruptedError(
          `data channel ${options.session.sessionId}: no pong or other frame for ${silentMs} ms, beyond the liveness timeout of ${timeoutMs} ms after a websocket ping; the connection is presumed dead`,
        ),
      ),
    );
    this.work = new SerialQueue<Work>(
      (work) => (work.kind === 'closed' ? this.channelClosed(work.message) : this.handle(work.message)),
      (error) => this.fail(error),
      () => this.finished,
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
    if (deadline !== undefined && deadline <= this.clock.now()) {
      void this.truncate('deadline');
      return;
    }
    const connection = new DataChannelConnection(session.streamUrl, session.tokenValue, {
      message: (data) => this.receive(data),
      control: () => this.liveness.heard(),
      error: (error) =>
        this.fail(
          new SessionInterruptedError(`data channel ${session.sessionId}: ${error.message}`, {
            cause: error,
          }),
        ),
      close: (code, reason) => this.socketClosed(code, reason),
    });
    this.connection = connection;
    this.streams.start((error) => this.fail(error));
    this.liveness.start(connection);
    if (deadline !== undefined) this.armDeadline(deadline);
    if (signal !== undefined) {
      this.onAbort = () => void this.truncate('aborted');
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** A timer waits at most 2^31-1 ms (about 24.8 days), and fires at once beyond it: re-arm until the deadline. */
  private armDeadline(deadline: number): void {
    const wait = deadline - this.clock.now();
    if (wait <= 0) {
      void this.truncate('deadline');
      return;
    }
    this.timers.push(this.clock.setTimeout(() => this.armDeadline(deadline), Math.min(wait, MAX_TIMER_MS)));
  }

  /** Backpressure: stop reading the socket. Unread pongs then prove nothing, so liveness stops counting. */
  private pauseReading(): void {
    this.connection?.pause();
    this.liveness.paused();
  }

  /** The consumer wants more: read again, and count silence only from now on. */
  private resumeReading(): void {
    if (this.connection?.isPaused !== true) return;
    this.connection.resume();
    this.liveness.resumed();
  }

  private receive(data: Buffer): void {
    if (this.finished) return;
    this.liveness.heard();
    try {
      const message = decodeMessage(data);
      switch (message.messageType) {
        case MessageType.OutputStreamData:
          this.streams.receive(message, this.enqueue);
          break;
        case MessageType.Acknowledge:
          this.streams.acknowledged(message);
          break;
        case MessageType.ChannelClosed:
          this.closeReceived = true;
          this.work.push({ kind: 'closed', message });
          break;
        default:
          // start_publication / pause_publication (never acked) and types meant for other peers.
          break;
      }
    } catch (error) {
      this.fail(error);
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
        this.streams.sendStream(
          PayloadType.EncChallengeResponse,
          answerChallenge(this.keys, message.payload),
        );
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
        this.streams.sendStream(
          PayloadType.Size,
          Buffer.from(JSON.stringify({ cols: size.cols, rows: size.rows })),
        );
      }
    }
    if (payload.length === 0) return;
    this.batch.push(payload);
    this.batchBytes += payload.length;
    if (this.batchBytes >= OUTPUT_BATCH_BYTES) this.flushOutput();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flushOutput());
    }
  }

  /** Pushes the batched payloads as one chunk; a full output buffer stops reading the socket (backpressure). */
  private flushOutput(): void {
    this.flushQueued = false;
    if (this.batch.length === 0) return;
    const chunk =
      this.batch.length === 1 ? (this.batch[0] as Buffer) : Buffer.concat(this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
    if (this.output.destroyed) return;
    if (!this.output.push(chunk)) this.pauseReading();
  }

  private async handshake(payload: Buffer): Promise<void> {
    if (this.handshakeSeen) {
      throw new ProtocolError(
        'HandshakeRequest',
        'arrived a second time in one session; one key exchange per session is allowed',
      );
    }
    this.handshakeSeen = true;
    const answer = await answerHandshake(payload, this.options, this.stopped.signal, this.clock);
    if (answer === undefined || this.finished) return;
    if (answer.keys !== undefined) this.keys = answer.keys;
    this.streams.sendStream(PayloadType.HandshakeResponse, answer.response);
  }

  private channelClosed(message: ClientMessage): undefined {
    const content = parseJsonPayload(message, 'channel_closed');
    const { incoming } = this.streams;
    if (incoming.pending > 0) {
      throw new ProtocolError(
        'SequenceNumber',
        `channel_closed arrived while ${incoming.pending} acked messages wait for missing sequence ${incoming.expected}; the output is incomplete`,
      );
    }
    const reason = typeof content.Output === 'string' ? content.Output.trim() : '';
    // The reason is service text: quoted (escaped) and bounded before it reaches an error message or a log line.
    if (reason !== '') throw new SessionClosedError(JSON.stringify(reason.slice(0, 1000)));
    this.finish();
    this.connection?.close();
    this.flushOutput();
    this.output.push(null);
    this.resolve(this.summary());
    return undefined;
  }

  private socketClosed(code: number, reason: string): void {
    if (this.finished || this.closeReceived) return;
    const why = reason === '' ? `code ${code}` : `code ${code}, ${JSON.stringify(reason.slice(0, 1000))}`;
    this.fail(
      new SessionInterruptedError(
        `data channel ${this.options.session.sessionId} closed without channel_closed (${why}) after ${this.streams.messages} messages`,
      ),
    );
  }

  /** Deadline or abort: Ctrl-C, TerminateSession, close, and end the output as truncated. */
  private async truncate(reason: 'deadline' | 'aborted'): Promise<void> {
    if (this.finished) return;
    this.finish();
    if (this.connection?.isOpen) {
      const keystroke = this.keys === undefined ? CTRL_C : encrypt(this.keys.encryptKey, CTRL_C);
      try {
        this.streams.sendStream(PayloadType.Output, keystroke);
      } catch {
        // No room left in flight: TerminateSession below stops the command anyway.
      }
    }
    const terminateError = await terminateSession(this.options);
    if (this.connection !== undefined) {
      this.connection.resume();
      this.connection.close();
    }
    this.flushOutput();
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
    this.connection?.terminate();
    const settle = () => {
      this.output.destroy(error instanceof Error ? error : new Error(String(error)));
      this.reject(error);
    };
    if (this.closeReceived || error instanceof SessionClosedError) settle();
    else void terminateSession(this.options).then(settle);
  }

  private finish(): void {
    this.finished = true;
    this.stopped.abort();
    this.streams.stop();
    this.liveness.stop();
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    if (this.onAbort !== undefined) this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  private summary(): CaptureSummary {
    return {
      truncated: false,
      bytes: this.bytes,
      messages: this.streams.messages,
      duplicates: this.streams.incoming.duplicates,
      outOfOrder: this.streams.incoming.outOfOrder,
      resends: this.streams.outgoing.resends,
      encrypted: this.keys !== undefined,
    };
  }
}
