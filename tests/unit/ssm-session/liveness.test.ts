import { finished } from 'node:stream/promises';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import {
  collect,
  credentials,
  type FakeAgent,
  type FakeSsm,
  outputFrame,
  startFakeAgent,
  startFakeSsm,
  testClock,
} from './fake-agent.ts';

// The client's timers run on a clock the test moves: the real websocket carries the frames, no test waits for time.

describe('ssm-session capture: liveness of a peer that never answers pings', () => {
  let agent: FakeAgent;
  let ssm: FakeSsm;
  beforeAll(async () => {
    agent = await startFakeAgent({ autoPong: false });
    ssm = await startFakeSsm();
  });
  afterAll(async () => {
    await ssm.close();
    await agent.close();
  });

  it('fails a silent channel with a SessionInterruptedError naming the silence, after TerminateSession', async () => {
    // Arrange: a half-open connection, as seen from the client: nothing comes back, not even pongs.
    const { clock, tick } = testClock();
    const capture = openSessionCapture({
      session: credentials(agent, 'session-half-open'),
      ssm: ssm.client,
      pingIntervalMs: 50,
      livenessTimeoutMs: 200,
      clock,
    });
    const ended = finished(capture.output);
    capture.output.resume();
    const connection = await agent.nextConnection();
    await connection.token;
    connection.sendOutput(0, 'started;');
    await connection.waitFor(() => connection.ackedSequences().length === 1);

    // Act: a quiet ping interval (one ping), then the liveness timeout with no answer.
    tick(50);
    await connection.waitForPings(1);
    tick(199);
    const failedEarly = await Promise.race([
      capture.done.then(
        () => true,
        () => true,
      ),
      Promise.resolve(false),
    ]);
    tick(1);

    // Assert
    expect(failedEarly).toBe(false);
    await expect(capture.done).rejects.toMatchObject({
      name: 'SessionInterruptedError',
      message: expect.stringContaining(
        'no pong or other frame for 250 ms, beyond the liveness timeout of 200 ms',
      ),
    });
    expect(connection.pings()).toBeGreaterThanOrEqual(1);
    await expect(ended).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    expect(ssm.terminated).toContain('session-half-open');
  });

  it('never counts a socket paused for backpressure as dead, however long the consumer stalls', async () => {
    // Arrange: while paused the client reads nothing, so no pong (or anything) could arrive.
    const { clock, tick } = testClock();
    const capture = openSessionCapture({
      session: credentials(agent),
      ssm: ssm.client,
      pingIntervalMs: 20,
      livenessTimeoutMs: 60,
      clock,
    });
    const connection = await agent.nextConnection();
    await connection.token;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const messages = 64;
    for (let sequence = 0; sequence < messages; sequence += 1) {
      connection.sendFrame(outputFrame(sequence, chunk));
    }
    // Nobody reads: the client stops reading the socket once its output buffer is full.
    const { output: stalled } = capture;
    await connection.waitFor(() => connection.ackedSequences().length > 0);
    while (stalled.readableLength < stalled.readableHighWaterMark) {
      await new Promise((resolve) => setImmediate(resolve));
    }

    // Act: many liveness timeouts pass while paused; then everything is read and the agent closes.
    tick(600);
    const ackedWhileStalled = connection.ackedSequences().length;
    const output = collect(capture.output);
    await connection.waitFor(() => connection.ackedSequences().length === messages);
    connection.sendChannelClosed();

    // Assert
    expect(ackedWhileStalled).toBeLessThan(messages);
    expect((await output).length).toBe(messages * chunk.length);
    await expect(capture.done).resolves.toMatchObject({ truncated: false, messages });
    expect(connection.pings()).toBe(0);
  });
});

describe('ssm-session capture: liveness of a healthy quiet session', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('survives many liveness timeouts of silence when the peer answers pings (a script that sleeps)', async () => {
    // Arrange
    const { clock, tick } = testClock();
    const capture = openSessionCapture({
      session: credentials(agent),
      pingIntervalMs: 20,
      livenessTimeoutMs: 60,
      clock,
    });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    connection.sendOutput(0, 'sleeping;');
    await connection.waitFor(() => connection.ackedSequences().length === 1);

    // Act: thirty quiet ping intervals; each ping is answered (the agent pongs) and read by the client (a round
    // trip from the agent proves it) before the next interval, as on a healthy connection.
    for (let round = 1; round <= 30; round += 1) {
      tick(20);
      await connection.waitForPings(round);
      await connection.roundTrip();
    }
    connection.sendOutput(1, 'awake');
    connection.sendChannelClosed();

    // Assert: 600 ms of clock time, ten liveness timeouts, no failure.
    expect(connection.pings()).toBe(30);
    expect((await output).toString()).toBe('sleeping;awake');
    await expect(capture.done).resolves.toMatchObject({ truncated: false, messages: 2 });
  });
});
