import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, startFakeAgent, testClock } from './fake-agent.ts';

describe('ssm-session capture: keepalive', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('sends websocket pings while the session is quiet, and none while output flows', async () => {
    // Arrange: the client's timers run on a clock the test moves.
    const { clock, tick } = testClock();
    const capture = openSessionCapture({ session: credentials(agent), pingIntervalMs: 100, clock });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act: quiet for five ping intervals, then busy (a message every 20 ms of clock time) for five more.
    for (let interval = 1; interval <= 5; interval += 1) {
      tick(100);
      await connection.waitForPings(interval);
      // The agent pongs; a round trip proves the client read the pong before the clock moves on.
      await connection.roundTrip();
    }
    const quietPings = connection.pings();
    for (let sequence = 0; sequence < 25; sequence += 1) {
      connection.sendOutput(sequence, `${sequence};`);
      // The ack proves the client read the message (and sent any ping it sent before it).
      await connection.waitFor(() => connection.ackedSequences().length === sequence + 1);
      tick(20);
    }
    connection.sendOutput(25, 'end');
    await connection.waitFor(() => connection.ackedSequences().length === 26);
    const busyPings = connection.pings() - quietPings;
    connection.sendChannelClosed();

    // Assert
    expect(quietPings).toBe(5);
    expect(busyPings).toBe(0);
    expect((await output).toString()).toMatch(/^0;1;.*24;end$/);
    await capture.done;
  });
});
