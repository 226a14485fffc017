/**
 * Keepalive and liveness: a websocket ping on a quiet channel, and a channel that answers neither it nor with any
 * other frame within the liveness timeout is presumed dead. Time spent paused for backpressure never counts.
 */
import type { Clock } from './clock.ts';
import { MAX_TIMER_MS } from './options.ts';

/** The part of the connection liveness needs. */
export interface Pingable {
  readonly isOpen: boolean;
  readonly isPaused: boolean;
  ping(): void;
}

/** Ping schedule and dead-connection detection of one capture. */
export class Liveness {
  readonly pingEvery: number;
  readonly timeout: number;
  /** When a frame last arrived (or reading last resumed): how long the channel has been silent while read. */
  private lastTraffic: number;
  /** Armed by a ping; cleared by any incoming frame and by pausing the socket. */
  private deadTimer: unknown;
  private pingTimer: unknown;
  private readonly clock: Clock;
  private readonly onDead: (silentMs: number, timeoutMs: number) => void;

  /** `onDead` is called once a ping went unanswered, and nothing else arrived, while the socket was read. */
  constructor(
    options: { pingIntervalMs?: number; livenessTimeoutMs?: number },
    clock: Clock,
    onDead: (silentMs: number, timeoutMs: number) => void,
  ) {
    this.clock = clock;
    this.lastTraffic = clock.now();
    this.pingEvery = options.pingIntervalMs ?? 30_000;
    this.timeout = options.livenessTimeoutMs ?? Math.min(2 * this.pingEvery, MAX_TIMER_MS);
    this.onDead = onDead;
  }

  /** Starts pinging `connection` whenever it has been quiet for a ping interval. */
  start(connection: Pingable): void {
    this.pingTimer = this.clock.setInterval(() => {
      if (this.clock.now() - this.lastTraffic < this.pingEvery || !connection.isOpen || connection.isPaused)
        return;
      connection.ping();
      this.deadTimer ??= this.clock.setTimeout(() => {
        this.deadTimer = undefined;
        if (connection.isPaused) return;
        this.onDead(this.clock.now() - this.lastTraffic, this.timeout);
      }, this.timeout);
    }, this.pingEvery);
  }

  /** Any incoming frame (message, ping or pong) shows the connection is alive. */
  heard(): void {
    this.lastTraffic = this.clock.now();
    this.disarm();
  }

  /** Reading stopped for backpressure: unread pongs then prove nothing. */
  paused(): void {
    this.disarm();
  }

  /** Reading resumed: count silence only from now on. */
  resumed(): void {
    this.lastTraffic = this.clock.now();
  }

  /** Stops pinging and watching. */
  stop(): void {
    this.clock.clearInterval(this.pingTimer);
    this.disarm();
  }

  private disarm(): void {
    this.clock.clearTimeout(this.deadTimer);
    this.deadTimer = undefined;
  }
}
