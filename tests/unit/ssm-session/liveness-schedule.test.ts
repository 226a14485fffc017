import { Liveness } from '#lib/ssm-session/liveness.ts';
import { testClock } from './fake-agent.ts';

/** A connection stand-in that records pings; open, and paused when the test says so. */
function fakeConnection() {
  return {
    isOpen: true,
    isPaused: false,
    pings: 0,
    ping() {
      this.pings += 1;
    },
  };
}

describe('ssm-session liveness schedule (on a clock the test moves)', () => {
  it('pings a quiet channel once per interval and presumes it dead a timeout after the first unanswered ping', () => {
    // Arrange
    const { clock, tick } = testClock();
    const dead: Array<[number, number]> = [];
    const liveness = new Liveness({ pingIntervalMs: 100, livenessTimeoutMs: 250 }, clock, (silent, timeout) =>
      dead.push([silent, timeout]),
    );
    const connection = fakeConnection();
    liveness.start(connection);

    // Act
    tick(100);
    const pingsAtFirst = connection.pings;
    tick(249);
    const deadBefore = dead.length;
    tick(1);

    // Assert
    expect(pingsAtFirst).toBe(1);
    expect(deadBefore).toBe(0);
    expect(dead).toEqual([[350, 250]]);
    liveness.stop();
  });

  it('a pong (or any frame) before the timeout keeps the channel alive, and delays the next ping', () => {
    // Arrange
    const { clock, tick } = testClock();
    const dead: number[] = [];
    const liveness = new Liveness({ pingIntervalMs: 100, livenessTimeoutMs: 250 }, clock, (silent) =>
      dead.push(silent),
    );
    const connection = fakeConnection();
    liveness.start(connection);

    // Act: ping at 100, pong at 150; then quiet again.
    tick(100);
    tick(50);
    liveness.heard();
    tick(50);
    const pingsAt200 = connection.pings;
    tick(99);
    const pingsAt299 = connection.pings;
    tick(1);
    const pingsAt300 = connection.pings;
    tick(249);
    const deadAt549 = dead.length;
    tick(1);

    // Assert: no ping at 200 (traffic 50 ms before); the next at 300; dead at 550, 400 ms after the pong.
    expect([pingsAt200, pingsAt299, pingsAt300]).toEqual([1, 1, 2]);
    expect(deadAt549).toBe(0);
    expect(dead).toEqual([400]);
    liveness.stop();
  });

  it('neither pings nor counts silence while reading is paused, and counts afresh from the resume', () => {
    // Arrange
    const { clock, tick } = testClock();
    const dead: number[] = [];
    const liveness = new Liveness({ pingIntervalMs: 100, livenessTimeoutMs: 250 }, clock, (silent) =>
      dead.push(silent),
    );
    const connection = fakeConnection();
    liveness.start(connection);

    // Act: a ping goes out, then reading pauses for a long time, then resumes.
    tick(100);
    connection.isPaused = true;
    liveness.paused();
    tick(10_000);
    const pingsWhilePaused = connection.pings;
    const deadWhilePaused = dead.length;
    connection.isPaused = false;
    liveness.resumed();
    tick(349);
    const deadSoonAfterResume = dead.length;
    tick(1);

    // Assert
    expect(pingsWhilePaused).toBe(1);
    expect(deadWhilePaused).toBe(0);
    expect(deadSoonAfterResume).toBe(0);
    expect(dead).toEqual([350]);
    liveness.stop();
  });
});
