/**
 * In-order processing with an occasional async step: items run synchronously as they come, unless a step returned
 * a promise, in which case later items wait for it in arrival order.
 */

/** Runs `handle` on each item in order; a handler's promise holds back the items behind it. */
export class SerialQueue<T> {
  private readonly queue: T[] = [];
  private busy = false;
  private readonly handle: (item: T) => Promise<void> | undefined;
  private readonly fail: (error: unknown) => void;
  private readonly stopped: () => boolean;

  /** A handler that throws or rejects goes to `fail`; nothing runs once `stopped()` is true. */
  constructor(
    handle: (item: T) => Promise<void> | undefined,
    fail: (error: unknown) => void,
    stopped: () => boolean,
  ) {
    this.handle = handle;
    this.fail = fail;
    this.stopped = stopped;
  }

  /** Runs the item now if nothing is waiting, else queues it. */
  push(item: T): void {
    if (this.busy || this.queue.length > 0) {
      this.queue.push(item);
      return;
    }
    this.run(item);
  }

  private run(item: T): void {
    if (this.stopped()) return;
    try {
      const pending = this.handle(item);
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
    while (!this.busy && !this.stopped()) {
      const item = this.queue.shift();
      if (item === undefined) return;
      this.run(item);
    }
  }
}
