/**
 * Both directions of stream messages: the agent's output_stream_data acked at once and delivered in order exactly
 * once; our input_stream_data numbered, kept until acked and resent on the RTO.
 */
import { ProtocolError } from '../errors.ts';
import { decodeAcknowledge, encodeAcknowledge } from './acknowledge.ts';
import type { Clock } from './clock.ts';
import {
  type ClientMessage,
  encodeMessage,
  Flags,
  HEADER_LENGTH,
  MessageType,
  safeSequence,
} from './codec.ts';
import { DEFAULT_REORDER_BYTES, DEFAULT_REORDER_CAPACITY, IncomingSequencer } from './incoming.ts';
import { OutgoingBuffer, RESEND_INTERVAL_MS } from './outgoing.ts';

/** Sequence numbers, acks, reordering and resends of one data channel. */
export class StreamSequencing {
  readonly incoming: IncomingSequencer<ClientMessage>;
  readonly outgoing: OutgoingBuffer;
  /** Stream messages received, duplicates not counted. */
  messages = 0;
  private nextSequence = 0;
  private resendTimer: unknown;
  private readonly clock: Clock;
  private readonly send: (frame: Buffer) => void;

  /** `send` writes one frame to the socket (and drops it if the socket is not open). */
  constructor(
    options: { reorderCapacity?: number; reorderBytes?: number },
    clock: Clock,
    send: (frame: Buffer) => void,
  ) {
    this.clock = clock;
    this.outgoing = new OutgoingBuffer(() => clock.now());
    this.incoming = new IncomingSequencer(
      options.reorderCapacity ?? DEFAULT_REORDER_CAPACITY,
      options.reorderBytes ?? DEFAULT_REORDER_BYTES,
    );
    this.send = send;
  }

  /** Starts the resend scheduler; an error it raises (the agent never acks) goes to `fail`. */
  start(fail: (error: unknown) => void): void {
    this.resendTimer = this.clock.setInterval(() => {
      try {
        const frame = this.outgoing.due();
        if (frame !== undefined) this.send(frame);
      } catch (error) {
        fail(error);
      }
    }, RESEND_INTERVAL_MS);
  }

  /** Stops resending. */
  stop(): void {
    this.clock.clearInterval(this.resendTimer);
  }

  /**
   * One output_stream_data: acked first, duplicates included, before any slow work (but never a message that
   * cannot be buffered); then it and any buffered messages it releases go to `deliver` in sequence order.
   */
  receive(message: ClientMessage, deliver: (message: ClientMessage) => void): void {
    const sequence = safeSequence(message);
    if (sequence < 0) {
      throw new ProtocolError(
        'SequenceNumber',
        `${message.sequenceNumber} is not a valid stream sequence number`,
      );
    }
    const bytes = message.payload.length + HEADER_LENGTH;
    if (this.incoming.fits(sequence, bytes)) this.send(encodeAcknowledge(message));
    const arrival = this.incoming.accept(sequence, message, deliver, bytes);
    if (arrival !== 'duplicate') this.messages += 1;
  }

  /** An acknowledge from the agent: its message leaves the outgoing buffer. */
  acknowledged(message: ClientMessage): void {
    this.outgoing.ack(decodeAcknowledge(message).AcknowledgedMessageSequenceNumber);
  }

  /** Sends one input_stream_data message and keeps it until acked. */
  sendStream(payloadType: number, payload: Buffer): void {
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
}
