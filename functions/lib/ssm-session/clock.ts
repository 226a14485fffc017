/**
 * The time source of a capture: the current time and timers, injectable so that a test can drive liveness,
 * resends, deadlines and handshake timeouts without waiting for real time.
 */

/** What a capture needs of a clock; the timer handles are opaque. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(timer: unknown): void;
}

/** Real time: Date.now and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (timer) => clearInterval(timer as NodeJS.Timeout | undefined),
};

/**
 * An AbortSignal that aborts with a TimeoutError after `ms` on `clock` (AbortSignal.timeout on real time only);
 * `cancel` clears the timer once the guarded call has settled.
 */
export function timeoutSignal(clock: Clock, ms: number): { signal: AbortSignal; cancel: () => void } {
  const controller = new AbortController();
  const timer = clock.setTimeout(
    () => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')),
    ms,
  );
  return { signal: controller.signal, cancel: () => clock.clearTimeout(timer) };
}
