import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import { decodeAcknowledge, encodeAcknowledge } from '#lib/ssm-session/acknowledge.ts';
import {
  type ClientMessage,
  decodeMessage,
  encodeMessage,
  Flags,
  MessageType,
  PayloadType,
} from '#lib/ssm-session/codec.ts';
import { open, seal } from './aes-gcm.ts';
import { generatedOutput } from './generated-output.ts';
import type { LocalKms } from './kms.ts';
import { createPrng } from './prng.ts';
import { type PtyCommand, startPtyCommand } from './pty-command.ts';
import type { AgentFaults, SessionReport, SessionSpec } from './types.ts';
import { Utf8Chunker } from './utf8-chunker.ts';

/** Spec section 5: the retransmission scheme both sides use. */
const RESEND_INTERVAL_MS = 100;
const DEFAULT_RTT_MS = 100;
const DEFAULT_RTO_MS = 200;
const CLOCK_GRANULARITY_MS = 10;
const MAX_RTO_MS = 1000;
/** The agent waits at most this long for its output to be acked before closing (PrepareToCloseChannel). */
const CLOSE_ACK_WAIT_MS = 2000;
const HANDSHAKE_STEP_TIMEOUT_MS = 15_000;
/** Flow control: stop reading output while this many messages are unacked or this many bytes are queued. */
const MAX_UNACKED_MESSAGES = 2048;
const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;
/** How long a partly filled reorder window waits before it is sent anyway. */
const REORDER_FLUSH_MS = 30;
/** After channel_closed the client closes the socket; the emulator does it itself after this grace period. */
const SOCKET_CLOSE_GRACE_MS = 1000;
/** How many input sequence numbers are remembered to tell resends from reuse. */
const INPUT_HISTORY = 10_000;
const AGENT_VERSION = '3.3.0.0-emulator';

interface Outgoing {
  seq: number;
  id: string;
  frame: Buffer;
  lastSent?: number;
}

interface Handshake {
  stage: 'response' | 'challenge';
  challenge: Buffer;
  startedAt: bigint;
  timer: NodeJS.Timeout;
  secret?: Buffer;
}

type EndState = 'closed' | 'terminated' | 'dropped';

/**
 * One data-channel session played from the service + agent side: output from a pty command or a generator,
 * sequenced, acked and resent per the spec, with optional KMS handshake and fault switches; every protocol
 * mistake the client makes is recorded as a violation.
 */
export class AgentSession {
  readonly sessionId: string;
  readonly tokenValue: string;
  state: SessionReport['state'] = 'waiting';
  private readonly spec: SessionSpec;
  private readonly faults: AgentFaults;
  private readonly kms: LocalKms;
  private readonly random: () => number;
  private readonly violationList: string[] = [];
  private readonly outputHash = createHash('sha256');
  private outputSha256 = '';
  private outputBytes = 0;
  private resends = 0;
  private messages = 0;
  private terminalSize?: { cols: number; rows: number };
  private error?: string;

  private ws?: WebSocket;
  private clientId = '';
  private readonly outgoing = new Map<number, Outgoing>();
  private nextSeq = 0;
  private expectedInput = 0;
  private readonly inputBuffer = new Map<number, ClientMessage>();
  private readonly rejectedInput = new Set<number>();
  /** Payload digests of recent input by seq: a resend repeats it, a reused seq does not. */
  private readonly inputDigests = new Map<number, string>();
  private rtt = DEFAULT_RTT_MS;
  private rttVar = 0;
  private rto = DEFAULT_RTO_MS;
  private lastAckAt = 0;
  private held: Outgoing[] = [];
  private reorderTimer?: NodeJS.Timeout;
  private resendTimer?: NodeJS.Timeout;
  private startTimer?: NodeJS.Timeout;
  private closeWaitTimer?: NodeJS.Timeout;
  private source?: Readable;
  private pty?: PtyCommand;
  private readonly pendingKeystrokes: Buffer[] = [];
  private commandStarted = false;
  private firstOutputSent = false;
  private outputFinished = false;
  private handshake?: Handshake;
  private keys?: { agentToClient: Buffer; clientToAgent: Buffer };
  private encrypting = false;
  private ended = false;
  private readonly endedPromise: Promise<void>;
  private resolveEnded: () => void = () => {};

  constructor(sessionId: string, spec: SessionSpec, kms: LocalKms) {
    this.sessionId = sessionId;
    this.tokenValue = randomBytes(48).toString('base64url');
    this.spec = spec;
    this.faults = spec.faults ?? {};
    this.kms = kms;
    this.random = createPrng(this.faults.seed ?? 1);
    this.endedPromise = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
  }

  /** Resolves once the session has ended and its command has exited. */
  get done(): Promise<void> {
    return this.endedPromise;
  }

  /** A snapshot of what happened so far. */
  report(): SessionReport {
    const report: SessionReport = {
      sessionId: this.sessionId,
      state: this.state,
      outputBytes: this.outputBytes,
      outputSha256: this.outputSha256 || this.outputHash.copy().digest('hex'),
      resends: this.resends,
      violations: [...this.violationList],
      messages: this.messages,
    };
    if (this.terminalSize) report.terminalSize = { ...this.terminalSize };
    if (this.error !== undefined) report.error = this.error;
    return report;
  }

  /** Violations seen so far. */
  get violations(): readonly string[] {
    return this.violationList;
  }

  /** Takes over an authenticated websocket and starts the session. */
  attach(ws: WebSocket, clientId: string): void {
    this.ws = ws;
    this.clientId = clientId;
    this.state = 'running';
    ws.on('message', (data, isBinary) => {
      const frame = toBuffer(data);
      if (!isBinary) {
        this.recordViolation('a TEXT frame after OpenDataChannelInput (every later frame must be BINARY)');
      }
      this.onFrame(frame);
    });
    ws.on('close', () => {
      if (!this.ended) this.end('dropped');
    });
    this.resendTimer = setInterval(() => this.resendTick(), RESEND_INTERVAL_MS);
    if (this.faults.publicationMessages) this.sendControl(MessageType.StartPublication);
    if (this.spec.kms) this.beginHandshake();
    else this.scheduleStart();
  }

  /** TerminateSession: channel_closed to the client, the command stopped. */
  terminate(): void {
    if (this.ended) return;
    if (this.state === 'waiting') this.end('terminated');
    else this.closeChannel('', 'terminated');
  }

  /** Ends the session at once (emulator shutdown). */
  shutdown(): void {
    if (!this.ended) this.end('dropped');
    this.ws?.terminate();
  }

  /** Records a protocol mistake of the client. */
  recordViolation(text: string): void {
    this.violationList.push(text);
  }

  // ---- starting the output -------------------------------------------------------------------------------

  private scheduleStart(): void {
    this.startTimer = setTimeout(() => this.startOutput(), this.faults.startDelayMs ?? 0);
  }

  private startOutput(): void {
    if (this.ended) return;
    this.commandStarted = true;
    if (this.spec.command !== undefined) {
      this.pty = startPtyCommand(this.spec.command, this.spec.env);
      for (const keystrokes of this.pendingKeystrokes.splice(0)) this.pty.write(keystrokes);
      this.source = this.pty.output;
    } else {
      this.source = generatedOutput(this.spec.generatedOutputBytes ?? 0);
    }
    const chunker = new Utf8Chunker({ fullChunks: this.spec.command === undefined });
    const source = this.source;
    source.on('data', (data: Buffer) => {
      for (const chunk of chunker.push(data)) this.enqueueOutput(chunk);
      if (this.congested()) source.pause();
    });
    source.on('end', () => {
      for (const chunk of chunker.flush()) this.enqueueOutput(chunk);
      this.finishOutput();
    });
    source.on('error', (error) => {
      this.error = `the command's output failed: ${error.message}`;
      this.finishOutput();
    });
  }

  private congested(): boolean {
    return this.outgoing.size >= MAX_UNACKED_MESSAGES || (this.ws?.bufferedAmount ?? 0) > MAX_BUFFERED_BYTES;
  }

  private maybeResume(): void {
    if (this.source?.isPaused() && !this.ended && !this.congested()) this.source.resume();
  }

  private enqueueOutput(chunk: Buffer): void {
    if (this.ended) return;
    this.outputHash.update(chunk);
    this.outputBytes += chunk.length;
    const payload = this.encrypting && this.keys ? seal(this.keys.agentToClient, chunk) : chunk;
    this.sendStream(PayloadType.Output, payload, true);
  }

  // ---- sending ---------------------------------------------------------------------------------------------

  private sendStream(payloadType: number, payload: Buffer, reorderable: boolean): void {
    const seq = this.nextSeq;
    this.nextSeq += 1;
    const id = randomUUID();
    const frame = encodeMessage({
      messageType: MessageType.OutputStreamData,
      sequenceNumber: BigInt(seq),
      flags: seq === 0 ? Flags.Syn : Flags.None,
      payloadType,
      payload,
      messageId: id,
    });
    const entry: Outgoing = { seq, id, frame };
    this.outgoing.set(seq, entry);
    const window = this.faults.reorderWindow ?? 0;
    if (reorderable && window > 1) {
      this.held.push(entry);
      if (this.held.length >= window) this.flushHeld();
      else this.reorderTimer ??= setTimeout(() => this.flushHeld(), REORDER_FLUSH_MS);
      return;
    }
    this.transmitFirst(entry);
  }

  private flushHeld(): void {
    clearTimeout(this.reorderTimer);
    this.reorderTimer = undefined;
    const batch = this.held;
    this.held = [];
    for (let i = batch.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.random() * (i + 1));
      const a = batch[i] as Outgoing;
      batch[i] = batch[j] as Outgoing;
      batch[j] = a;
    }
    for (const entry of batch) this.transmitFirst(entry);
  }

  private transmitFirst(entry: Outgoing): void {
    if (this.ended) return;
    this.messages += 1;
    this.firstOutputSent = true;
    entry.lastSent = Date.now();
    if (this.faults.publicationMessages && this.messages % 5 === 0) {
      this.sendControl(MessageType.PausePublication);
      this.sendControl(MessageType.StartPublication);
    }
    const drop =
      (this.faults.dropFirstCopyRate ?? 0) > 0 && this.random() < (this.faults.dropFirstCopyRate ?? 0);
    if (!drop) this.sendFrame(entry.frame);
    if ((this.faults.duplicateRate ?? 0) > 0 && this.random() < (this.faults.duplicateRate ?? 0)) {
      this.sendFrame(entry.frame);
    }
    const dropAfter = this.faults.dropConnectionAfterMessages;
    if (dropAfter !== undefined && this.messages >= dropAfter) {
      this.end('dropped');
      this.ws?.terminate();
    }
  }

  private sendFrame(frame: Buffer): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    ws.send(frame, { binary: true }, () => this.maybeResume());
  }

  private sendControl(messageType: string, payload: Buffer = Buffer.alloc(0)): void {
    this.sendFrame(
      encodeMessage({ messageType, sequenceNumber: 0n, flags: Flags.None, payloadType: 0, payload }),
    );
  }

  private resendTick(): void {
    const oldest = this.outgoing.values().next().value;
    if (!oldest || oldest.lastSent === undefined) return;
    const now = Date.now();
    if (now - oldest.lastSent <= this.rto) return;
    oldest.lastSent = now;
    this.resends += 1;
    this.sendFrame(oldest.frame);
  }

  // ---- ending ----------------------------------------------------------------------------------------------

  private finishOutput(): void {
    if (this.outputFinished) return;
    this.outputFinished = true;
    this.flushHeld();
    const finishedAt = Date.now();
    // The agent waits a fixed 2 s. With dropFirstCopyRate the wait lasts while resends still make progress,
    // so that the fault means what it says (the resends recover the dropped messages) for large outputs too.
    const deadline = (): number =>
      (this.faults.dropFirstCopyRate ?? 0) > 0
        ? Math.max(finishedAt, this.lastAckAt) + CLOSE_ACK_WAIT_MS
        : finishedAt + CLOSE_ACK_WAIT_MS;
    const check = (): void => {
      if (this.ended) return;
      if (this.outgoing.size > 0 && Date.now() < deadline()) {
        this.closeWaitTimer = setTimeout(check, 20);
        return;
      }
      if (this.faults.neverClose) return;
      this.closeChannel(this.faults.closeReason ?? '', 'closed');
    };
    check();
  }

  private closeChannel(output: string, state: EndState): void {
    if (this.ended) return;
    const payload = {
      MessageId: randomUUID(),
      CreatedDate: new Date().toISOString(),
      DestinationId: this.clientId,
      SessionId: this.sessionId,
      MessageType: MessageType.ChannelClosed,
      SchemaVersion: 1,
      Output: output,
    };
    this.sendControl(MessageType.ChannelClosed, Buffer.from(JSON.stringify(payload)));
    this.end(state);
    const ws = this.ws;
    if (ws) {
      const timer = setTimeout(() => ws.close(1000), SOCKET_CLOSE_GRACE_MS);
      ws.once('close', () => clearTimeout(timer));
    }
  }

  private end(state: EndState): void {
    if (this.ended) return;
    this.ended = true;
    this.state = state;
    for (const timer of [this.reorderTimer, this.startTimer, this.closeWaitTimer, this.handshake?.timer]) {
      clearTimeout(timer);
    }
    clearInterval(this.resendTimer);
    this.outputSha256 = this.outputHash.digest('hex');
    const pty = this.pty;
    if (pty) {
      pty.kill();
      void pty.exited.then(() => this.resolveEnded());
    } else {
      this.source?.destroy();
      this.resolveEnded();
    }
  }

  // ---- receiving -------------------------------------------------------------------------------------------

  private onFrame(frame: Buffer): void {
    let message: ClientMessage;
    try {
      message = decodeMessage(frame);
    } catch (error) {
      const seq = frame.length >= 56 ? ` (seq ${frame.readBigInt64BE(48)})` : '';
      this.recordViolation(`rejected a frame${seq}: ${(error as Error).message}`);
      return;
    }
    if (message.messageType === MessageType.Acknowledge) this.onAcknowledge(message);
    else if (message.messageType === MessageType.InputStreamData) this.onInput(message);
    else
      this.recordViolation(
        `the client sent a ${JSON.stringify(message.messageType)} message, which clients never send`,
      );
  }

  private onAcknowledge(message: ClientMessage): void {
    if (message.flags !== Flags.Ack) {
      this.recordViolation(`an acknowledge message has flags ${message.flags}, not 3 (SYN|FIN)`);
    }
    if (message.sequenceNumber !== 0n) {
      this.recordViolation(`an acknowledge message carries sequence number ${message.sequenceNumber}, not 0`);
    }
    let ack: ReturnType<typeof decodeAcknowledge>;
    try {
      ack = decodeAcknowledge(message);
    } catch (error) {
      this.recordViolation(`malformed acknowledge: ${(error as Error).message}`);
      return;
    }
    const seq = ack.AcknowledgedMessageSequenceNumber;
    if (ack.AcknowledgedMessageType !== MessageType.OutputStreamData) {
      this.recordViolation(
        `acknowledged a ${JSON.stringify(ack.AcknowledgedMessageType)} message (seq ${seq}); only output_stream_data is acknowledged`,
      );
      return;
    }
    if (ack.IsSequentialMessage !== true)
      this.recordViolation(`ack of seq ${seq}: IsSequentialMessage is not true`);
    const entry = this.outgoing.get(seq);
    if (!entry) {
      if (seq >= this.nextSeq)
        this.recordViolation(`ack of seq ${seq}, which was never sent (next seq is ${this.nextSeq})`);
      return;
    }
    if (entry.lastSent === undefined) {
      this.recordViolation(`ack of seq ${seq} before it was sent`);
      return;
    }
    if (ack.AcknowledgedMessageId !== entry.id) {
      this.recordViolation(
        `ack of seq ${seq} names message id ${JSON.stringify(ack.AcknowledgedMessageId)}, but seq ${seq} is ${entry.id}`,
      );
    }
    const sample = Date.now() - entry.lastSent;
    this.rttVar = 0.75 * this.rttVar + 0.25 * Math.abs(this.rtt - sample);
    this.rtt = 0.875 * this.rtt + 0.125 * sample;
    this.rto = Math.min(MAX_RTO_MS, this.rtt + Math.max(CLOCK_GRANULARITY_MS, 4 * this.rttVar));
    this.outgoing.delete(seq);
    this.lastAckAt = Date.now();
    this.maybeResume();
  }

  private onInput(message: ClientMessage): void {
    const seq = Number(message.sequenceNumber);
    const digest = message.payloadDigest.toString('hex');
    const seen = this.inputDigests.get(seq);
    if (seen !== undefined && seen !== digest) {
      this.recordViolation(
        `input seq ${seq} was reused for a different payload (sequence numbers must increase by 1 per message)`,
      );
    }
    if (seen === undefined) {
      this.inputDigests.set(seq, digest);
      this.inputDigests.delete(seq - INPUT_HISTORY);
    }
    if (seq < this.expectedInput) {
      this.sendAck(message);
      return;
    }
    if (seq > this.expectedInput) {
      let missing = this.expectedInput;
      while (missing < seq && (this.rejectedInput.has(missing) || this.inputBuffer.has(missing)))
        missing += 1;
      if (missing < seq && !this.inputBuffer.has(seq)) {
        this.recordViolation(`input seq ${seq} arrived while seq ${missing} is missing (input sequence gap)`);
      }
      this.inputBuffer.set(seq, message);
      this.sendAck(message);
      return;
    }
    if (!this.processInput(message)) return;
    this.sendAck(message);
    this.expectedInput += 1;
    for (;;) {
      const next = this.inputBuffer.get(this.expectedInput);
      if (!next) break;
      this.inputBuffer.delete(this.expectedInput);
      this.processInput(next);
      this.expectedInput += 1;
    }
  }

  private sendAck(message: ClientMessage): void {
    const frame = encodeAcknowledge(message);
    const delay = this.faults.ackDelayMs ?? 0;
    if (delay > 0) setTimeout(() => this.sendFrame(frame), delay);
    else this.sendFrame(frame);
  }

  /** Acts on one in-order input message; false = rejected without an ack (the client must resend). */
  private processInput(message: ClientMessage): boolean {
    const seq = Number(message.sequenceNumber);
    switch (message.payloadType) {
      case PayloadType.Output:
        this.onKeystrokes(seq, message.payload);
        return true;
      case PayloadType.Size:
        return this.onSize(seq, message.payload);
      case PayloadType.HandshakeResponse:
        this.onHandshakeResponse(seq, message.payload);
        return true;
      case PayloadType.EncChallengeResponse:
        this.onChallengeResponse(seq, message.payload);
        return true;
      default:
        this.recordViolation(
          `input seq ${seq} has payload type ${message.payloadType}, which a client never sends`,
        );
        return true;
    }
  }

  private onKeystrokes(seq: number, payload: Buffer): void {
    let data = payload;
    if (this.encrypting && this.keys) {
      try {
        data = open(this.keys.clientToAgent, payload);
      } catch {
        this.recordViolation(`input seq ${seq}: cannot decrypt with key bytes 32-63 (client→agent key)`);
        return;
      }
    }
    if (this.pty) this.pty.write(data);
    else if (this.spec.command !== undefined) this.pendingKeystrokes.push(data);
  }

  private onSize(seq: number, payload: Buffer): boolean {
    if (!this.firstOutputSent || !this.commandStarted) {
      if (!this.rejectedInput.has(seq)) {
        this.recordViolation(
          `Size (input seq ${seq}) sent before the first output; send it after the first output`,
        );
      }
      if (!this.commandStarted) {
        this.rejectedInput.add(seq);
        return false;
      }
    }
    this.rejectedInput.delete(seq);
    let size: unknown;
    try {
      size = JSON.parse(payload.toString('utf8'));
    } catch {
      size = undefined;
    }
    const { cols, rows } = (size ?? {}) as { cols?: unknown; rows?: unknown };
    if (!Number.isInteger(cols) || !Number.isInteger(rows) || (cols as number) < 0 || (rows as number) < 0) {
      this.recordViolation(
        `Size (input seq ${seq}) is not {"cols":N,"rows":N}: ${JSON.stringify(payload.toString('utf8').slice(0, 80))}`,
      );
      return true;
    }
    this.terminalSize = { cols: cols as number, rows: rows as number };
    this.pty?.resize(cols as number, rows as number);
    return true;
  }

  // ---- KMS handshake (spec section 7) ------------------------------------------------------------------------

  private beginHandshake(): void {
    const keyId = this.spec.kms?.keyId ?? '';
    const challenge = randomBytes(16);
    this.handshake = {
      stage: 'response',
      challenge,
      startedAt: process.hrtime.bigint(),
      timer: setTimeout(() => this.failHandshake('Handshake timed out.'), HANDSHAKE_STEP_TIMEOUT_MS),
    };
    this.sendJson(PayloadType.HandshakeRequest, {
      AgentVersion: AGENT_VERSION,
      RequestedClientActions: [
        {
          ActionType: 'SessionType',
          ActionParameters: { SessionType: 'InteractiveCommands', Properties: null },
        },
        {
          ActionType: 'KMSEncryption',
          ActionParameters: { KMSKeyId: keyId, Challenge: challenge.toString('base64') },
        },
      ],
    });
  }

  private sendJson(payloadType: number, value: unknown): void {
    this.sendStream(payloadType, Buffer.from(JSON.stringify(value)), false);
  }

  private restartHandshakeTimer(handshake: Handshake): void {
    clearTimeout(handshake.timer);
    handshake.timer = setTimeout(() => this.failHandshake('Handshake timed out.'), HANDSHAKE_STEP_TIMEOUT_MS);
  }

  private failHandshake(reason: string): void {
    this.error = `Encountered error while initiating handshake. ${reason}`;
    this.closeChannel(this.error, 'closed');
  }

  private onHandshakeResponse(seq: number, payload: Buffer): void {
    const handshake = this.handshake;
    if (handshake?.stage !== 'response') {
      this.recordViolation(`input seq ${seq}: a HandshakeResponse that no HandshakeRequest asked for`);
      return;
    }
    const fail = (why: string): void => {
      this.recordViolation(`input seq ${seq}: HandshakeResponse ${why}`);
      this.failHandshake(`HandshakeResponse ${why}`);
    };
    let body: { ProcessedClientActions?: unknown };
    try {
      body = JSON.parse(payload.toString('utf8')) as typeof body;
    } catch {
      fail('is not valid JSON');
      return;
    }
    const actions = Array.isArray(body?.ProcessedClientActions)
      ? (body.ProcessedClientActions as unknown[])
      : null;
    if (!actions) {
      fail('has no ProcessedClientActions array');
      return;
    }
    let cipherTextKey: string | undefined;
    let challengeAcknowledged = false;
    let sawSessionType = false;
    for (const raw of actions) {
      const action = (raw ?? {}) as {
        ActionType?: unknown;
        ActionStatus?: unknown;
        ActionResult?: { KMSCipherTextKey?: unknown; ChallengeAcknowledgement?: unknown } | null;
        Error?: unknown;
      };
      if (action.ActionStatus !== 1) {
        // The client may decline an action; the agent then fails the handshake (not a protocol violation).
        this.failHandshake(
          `The client reported ActionStatus ${JSON.stringify(action.ActionStatus)} for ${JSON.stringify(action.ActionType)}: ${JSON.stringify(action.Error ?? '')}`,
        );
        return;
      }
      if (action.ActionType === 'SessionType') sawSessionType = true;
      if (action.ActionType === 'KMSEncryption') {
        if (typeof action.ActionResult?.KMSCipherTextKey === 'string')
          cipherTextKey = action.ActionResult.KMSCipherTextKey;
        challengeAcknowledged = action.ActionResult?.ChallengeAcknowledgement === true;
      }
    }
    if (!sawSessionType)
      this.recordViolation(`input seq ${seq}: HandshakeResponse does not answer the SessionType action`);
    if (cipherTextKey === undefined) {
      fail('has no KMSEncryption action with a KMSCipherTextKey');
      return;
    }
    const context: Record<string, string> = {
      'aws:ssm:SessionId': this.sessionId,
      'aws:ssm:TargetId': this.spec.targetId ?? '',
    };
    if (challengeAcknowledged) context['aws:ssm:RandomChallenge'] = handshake.challenge.toString('base64');
    let plaintext: Buffer;
    try {
      plaintext = this.kms.decrypt(
        Buffer.from(cipherTextKey, 'base64'),
        context,
        this.spec.kms?.keyId,
      ).plaintext;
    } catch (error) {
      fail(
        `KMSCipherTextKey does not decrypt under ${this.spec.kms?.keyId} with EncryptionContext ${JSON.stringify(context)}: ${(error as Error).message}`,
      );
      return;
    }
    if (plaintext.length !== 64) {
      fail(`data key is ${plaintext.length} bytes; GenerateDataKey must ask for NumberOfBytes 64`);
      return;
    }
    this.keys = { agentToClient: plaintext.subarray(0, 32), clientToAgent: plaintext.subarray(32, 64) };
    handshake.stage = 'challenge';
    handshake.secret = randomBytes(64);
    this.restartHandshakeTimer(handshake);
    this.sendJson(PayloadType.EncChallengeRequest, {
      Challenge: seal(this.keys.agentToClient, handshake.secret).toString('base64'),
    });
  }

  private onChallengeResponse(seq: number, payload: Buffer): void {
    const handshake = this.handshake;
    if (handshake?.stage !== 'challenge' || !handshake.secret || !this.keys) {
      this.recordViolation(`input seq ${seq}: an EncChallengeResponse that no EncChallengeRequest asked for`);
      return;
    }
    let answer: Buffer | undefined;
    try {
      const body = JSON.parse(payload.toString('utf8')) as { Challenge?: unknown };
      if (typeof body.Challenge === 'string') {
        answer = open(this.keys.clientToAgent, Buffer.from(body.Challenge, 'base64'));
      }
    } catch {
      answer = undefined;
    }
    if (!answer?.equals(handshake.secret)) {
      const why = 'EncChallengeResponse is not the challenge re-encrypted with key bytes 32-63';
      this.recordViolation(`input seq ${seq}: ${why}`);
      this.failHandshake(why);
      return;
    }
    clearTimeout(handshake.timer);
    this.handshake = undefined;
    this.sendJson(PayloadType.HandshakeComplete, {
      HandshakeTimeToComplete: Number(process.hrtime.bigint() - handshake.startedAt),
      CustomerMessage: 'This session is encrypted using AWS KMS.',
    });
    this.encrypting = true;
    this.scheduleStart();
  }
}

/** ws hands over a Buffer by default; the other shapes are handled without copying a Buffer. */
export function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
