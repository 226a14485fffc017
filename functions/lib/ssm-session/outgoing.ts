/**
 * The client's own stream messages (input_stream_data) kept until the agent acks them, resent on the
 * retransmission scheme of the protocol spec, section 5 (Jacobson/Karels RTO, oldest message only).
 */
import { ProtocolError } from '../errors.ts';

/** Spec section 5 constants. */
export const RESEND_INTERVAL_MS = 100;
const DEFAULT_RTT_MS = 100;
const DEFAULT_RTO_MS = 200;
const CLOCK_GRANULARITY_MS = 10;
const MAX_RTO_MS = 1000;
/** The plugin's outgoing buffer capacity: the oldest message is dropped beyond it. */
const CAPACITY = 10_000;
/**
 * Resends of one message before the agent is given up on (the plugin resends forever): with the RTO between
 * 200 ms and 1 s that is 20 to 100 s, beyond the agent's 15 s handshake step.
 */
export const MAX_RESENDS_PER_MESSAGE = 100;
/** Unacked bytes kept for resending; our messages are small (handshake answers, Size, Ctrl-C). */
export const MAX_BYTES_IN_FLIGHT = 1024 * 1024;

interface Pending {
  sequence: number;
  frame: Buffer;
  lastSent: number;
  resends: number;
}

/** Round-trip estimate and retransmission timeout, updated on every ack. */
export class RtoEstimator {
  rtt = DEFAULT_RTT_MS;
  rttVar = 0;
  rto = DEFAULT_RTO_MS;

  /** Folds one round-trip sample (ms) into the estimate. */
  sample(sampleMs: number): void {
    this.rttVar = 0.75 * this.rttVar + 0.25 * Math.abs(this.rtt - sampleMs);
    this.rtt = 0.875 * this.rtt + 0.125 * sampleMs;
    this.rto = Math.min(MAX_RTO_MS, this.rtt + Math.max(CLOCK_GRANULARITY_MS, 4 * this.rttVar));
  }
}

/** Unacked outgoing stream messages in sequence order, with the resend decision. */
export class OutgoingBuffer {
  readonly estimator = new RtoEstimator();
  resends = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly now: () => number;
  private bytesInFlight = 0;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Unacked bytes held for resending. */
  get inFlightBytes(): number {
    return this.bytesInFlight;
  }

  /**
   * Records a stream message about to be sent. A ProtocolError if the unacked bytes would pass
   * MAX_BYTES_IN_FLIGHT (the agent is not acking).
   */
  add(sequence: number, frame: Buffer): void {
    if (this.bytesInFlight + frame.length > MAX_BYTES_IN_FLIGHT) {
      throw new ProtocolError(
        'Acknowledge',
        `${this.pending.size} sent messages (${this.bytesInFlight} bytes) are unacked; another ${frame.length} would pass the ${MAX_BYTES_IN_FLIGHT} bytes kept in flight`,
      );
    }
    this.pending.set(sequence, { sequence, frame, lastSent: this.now(), resends: 0 });
    this.bytesInFlight += frame.length;
    if (this.pending.size > CAPACITY) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.remove(oldest);
    }
  }

  private remove(sequence: number): Pending | undefined {
    const entry = this.pending.get(sequence);
    if (entry === undefined) return undefined;
    this.pending.delete(sequence);
    this.bytesInFlight -= entry.frame.length;
    return entry;
  }

  /** Removes the acked message (matched by sequence number, as the agent does); returns whether it was pending. */
  ack(sequence: number): boolean {
    const entry = this.remove(sequence);
    if (entry === undefined) return false;
    this.estimator.sample(Math.max(0, this.now() - entry.lastSent));
    return true;
  }

  /**
   * One scheduler tick: the oldest unacked message if its RTO has passed (it is marked as sent again).
   * A ProtocolError once a message has been resent MAX_RESENDS_PER_MESSAGE times without an ack.
   */
  due(): Buffer | undefined {
    const oldest = this.pending.values().next().value;
    if (oldest === undefined) return undefined;
    const now = this.now();
    if (now - oldest.lastSent <= this.estimator.rto) return undefined;
    if (oldest.resends >= MAX_RESENDS_PER_MESSAGE) {
      throw new ProtocolError(
        'Acknowledge',
        `input_stream_data ${oldest.sequence} is still unacked after ${oldest.resends} resends; the agent is not acking`,
      );
    }
    oldest.lastSent = now;
    oldest.resends += 1;
    this.resends += 1;
    return oldest.frame;
  }
}
