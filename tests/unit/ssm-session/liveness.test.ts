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
} from './fake-agent.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    const capture = openSessionCapture({
      session: credentials(agent, 'session-half-open'),
      ssm: ssm.client,
      pingIntervalMs: 50,
      livenessTimeoutMs: 200,
    });
    const ended = finished(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    let pings = 0;
    connection.socket.on('ping', () => {
      pings += 1;
    });

    // Act
    connection.sendOutput(0, 'started;');

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'SessionInterruptedError',
      message: expect.stringMatching(/no pong or other frame for \d+ ms/),
    });
    expect(pings).toBeGreaterThanOrEqual(1);
    await expect(ended).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    expect(ssm.terminated).toContain('session-half-open');
  });

  it('never counts a socket paused for backpressure as dead, however long the consumer stalls', async () => {
    // Arrange: while paused the client reads nothing, so no pong (or anything) could arrive.
    const capture = openSessionCapture({
      session: credentials(agent),
      ssm: ssm.client,
      pingIntervalMs: 20,
      livenessTimeoutMs: 60,
    });
    const connection = await agent.nextConnection();
    await connection.token;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const messages = 64;
    for (let sequence = 0; sequence < messages; sequence += 1) {
      connection.sendFrame(outputFrame(sequence, chunk));
    }

    // Act: nobody reads for many liveness timeouts; then everything is read and the agent closes.
    await sleep(600);
    const ackedWhileStalled = connection.ackedSequences().length;
    const output = collect(capture.output);
    await connection.waitFor(() => connection.ackedSequences().length === messages);
    connection.sendChannelClosed();

    // Assert
    expect(ackedWhileStalled).toBeLessThan(messages);
    expect((await output).length).toBe(messages * chunk.length);
    await expect(capture.done).resolves.toMatchObject({ truncated: false, messages });
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
    const capture = openSessionCapture({
      session: credentials(agent),
      pingIntervalMs: 20,
      livenessTimeoutMs: 60,
    });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    let pings = 0;
    connection.socket.on('ping', () => {
      pings += 1;
    });

    // Act
    connection.sendOutput(0, 'sleeping;');
    await sleep(600);
    connection.sendOutput(1, 'awake');
    connection.sendChannelClosed();

    // Assert
    expect(pings).toBeGreaterThanOrEqual(5);
    expect((await output).toString()).toBe('sleeping;awake');
    await expect(capture.done).resolves.toMatchObject({ truncated: false, messages: 2 });
  });
});
