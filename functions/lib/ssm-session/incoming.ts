/**
 * Ordering and de-duplication of the agent's stream messages: every message is delivered exactly once,
 * in sequence order, whatever order (sequence 0 included) the messages arrive in.
 */
import { ProtocolError } from '../errors.ts';

/** The plugin's incoming buffer capacity (spec section 5). */
export const DEFAULT_REORDER_CAPACITY = 10_000;
/**
 * Bytes the buffer may hold back (payloads plus headers). The plugin bounds only the count, and a frame may be
 * 8 MiB: 10,000 of them would be 80 GB. 64 MiB leaves room for a long gap of ordinary output within
 * run-diagnostic's memory.
 */
export const DEFAULT_REORDER_BYTES = 64 * 1024 * 1024;

/** What happened to one received stream message. */
export type Arrival = 'in-order' | 'buffered' | 'duplicate';

/** Buffers messages that arrive ahead of the next expected sequence number. */
export class IncomingSequencer<T> {
  expected = 0;
  duplicates = 0;
  outOfOrder = 0;
  private readonly buffered = new Map<number, { item: T; bytes: number }>();
  private readonly capacity: number;
  private readonly maxBytes: number;
  private bufferedBytes = 0;

  constructor(capacity = DEFAULT_REORDER_CAPACITY, maxBytes = DEFAULT_REORDER_BYTES) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
  }

  /** Bytes held back, waiting for a gap to fill. */
  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /** Number of messages held back, waiting for a gap to fill. */
  get pending(): number {
    return this.buffered.size;
  }

  /** Whether a message with this sequence number and size can be accepted (it is within the buffer's bounds). */
  fits(sequence: number, bytes = 0): boolean {
    if (sequence <= this.expected || this.buffered.has(sequence)) return true;
    return sequence - this.expected <= this.capacity && this.bufferedBytes + bytes <= this.maxBytes;
  }

  /**
   * Accepts one message of `bytes` bytes; in-order messages (and any buffered ones they release) go to `deliver`.
   * A sequence number further ahead than the buffer can hold, or a message that would take the held-back bytes
   * past the byte bound, is a ProtocolError.
   */
  accept(sequence: number, item: T, deliver: (item: T) => void, bytes = 0): Arrival {
    if (sequence < this.expected || this.buffered.has(sequence)) {
      this.duplicates += 1;
      return 'duplicate';
    }
    if (sequence > this.expected) {
      if (sequence - this.expected > this.capacity) {
        throw new ProtocolError(
          'SequenceNumber',
          `${sequence} is more than ${this.capacity} messages ahead of the next expected ${this.expected}; the gap cannot be buffered`,
        );
      }
      if (this.bufferedBytes + bytes > this.maxBytes) {
        throw new ProtocolError(
          'SequenceNumber',
          `${sequence} would hold back ${this.bufferedBytes + bytes} bytes in ${this.buffered.size + 1} messages while sequence ${this.expected} is missing, beyond the reorder buffer's ${this.maxBytes} bytes; the agent is not sending the gap`,
        );
      }
      this.buffered.set(sequence, { item, bytes });
      this.bufferedBytes += bytes;
      this.outOfOrder += 1;
      return 'buffered';
    }
    deliver(item);
    this.expected += 1;
    let next = this.buffered.get(this.expected);
    while (next !== undefined) {
      this.buffered.delete(this.expected);
      this.bufferedBytes -= next.bytes;
      deliver(next.item);
      this.expected += 1;
      next = this.buffered.get(this.expected);
    }
    return 'in-order';
  }
}
