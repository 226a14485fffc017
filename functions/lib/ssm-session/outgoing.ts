/**
 * The client's own stream messages (input_stream_data) kept until the agent acks them, resent on the
 * retransmission scheme of the protocol spec, section 5 (Jacobson/Karels RTO, oldest message only).
 */

/** Spec section 5 constants. */
export const RESEND_INTERVAL_MS = 100;
const DEFAULT_RTT_MS = 100;
const DEFAULT_RTO_MS = 200;
const CLOCK_GRANULARITY_MS = 10;
const MAX_RTO_MS = 1000;
/** The plugin's outgoing buffer capacity: the oldest message is dropped beyond it. */
const CAPACITY = 10_000;

interface Pending {
  sequence: number;
  frame: Buffer;
  lastSent: number;
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

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Records a stream message that has just been sent. */
  add(sequence: number, frame: Buffer): void {
    this.pending.set(sequence, { sequence, frame, lastSent: this.now() });
    if (this.pending.size > CAPACITY) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
  }

  /** Removes the acked message (matched by sequence number, as the agent does); returns whether it was pending. */
  ack(sequence: number): boolean {
    const entry = this.pending.get(sequence);
    if (entry === undefined) return false;
    this.pending.delete(sequence);
    this.estimator.sample(Math.max(0, this.now() - entry.lastSent));
    return true;
  }

  /** One scheduler tick: the oldest unacked message if its RTO has passed (it is marked as sent again). */
  due(): Buffer | undefined {
    const oldest = this.pending.values().next().value;
    if (oldest === undefined) return undefined;
    const now = this.now();
    if (now - oldest.lastSent <= this.estimator.rto) return undefined;
    oldest.lastSent = now;
    this.resends += 1;
    return oldest.frame;
  }
}
