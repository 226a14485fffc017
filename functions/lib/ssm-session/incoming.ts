/**
 * Ordering and de-duplication of the agent's stream messages: every message is delivered exactly once,
 * in sequence order, whatever order (sequence 0 included) the messages arrive in.
 */
import { ProtocolError } from '../errors.ts';

/** The plugin's incoming buffer capacity (spec section 5). */
export const DEFAULT_REORDER_CAPACITY = 10_000;

/** What happened to one received stream message. */
export type Arrival = 'in-order' | 'buffered' | 'duplicate';

/** Buffers messages that arrive ahead of the next expected sequence number. */
export class IncomingSequencer<T> {
  expected = 0;
  duplicates = 0;
  outOfOrder = 0;
  private readonly buffered = new Map<number, T>();
  private readonly capacity: number;

  constructor(capacity = DEFAULT_REORDER_CAPACITY) {
    this.capacity = capacity;
  }

  /** Number of messages held back, waiting for a gap to fill. */
  get pending(): number {
    return this.buffered.size;
  }

  /** Whether a message with this sequence number can be accepted (it is not beyond the buffer's reach). */
  fits(sequence: number): boolean {
    return sequence - this.expected <= this.capacity;
  }

  /**
   * Accepts one message; in-order messages (and any buffered ones they release) go to `deliver`.
   * A sequence number further ahead than the buffer can hold is a ProtocolError.
   */
  accept(sequence: number, item: T, deliver: (item: T) => void): Arrival {
    if (sequence < this.expected || this.buffered.has(sequence)) {
      this.duplicates += 1;
      return 'duplicate';
    }
    if (sequence > this.expected) {
      if (!this.fits(sequence)) {
        throw new ProtocolError(
          'SequenceNumber',
          `${sequence} is more than ${this.capacity} messages ahead of the next expected ${this.expected}; the gap cannot be buffered`,
        );
      }
      this.buffered.set(sequence, item);
      this.outOfOrder += 1;
      return 'buffered';
    }
    deliver(item);
    this.expected += 1;
    let next = this.buffered.get(this.expected);
    while (next !== undefined) {
      this.buffered.delete(this.expected);
      deliver(next);
      this.expected += 1;
      next = this.buffered.get(this.expected);
    }
    return 'in-order';
  }
}
