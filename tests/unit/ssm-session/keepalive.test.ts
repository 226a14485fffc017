import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, startFakeAgent } from './fake-agent.ts';

describe('ssm-session capture: keepalive', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('sends websocket pings while the session is quiet, and none while output flows', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent), pingIntervalMs: 100 });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    let pings = 0;
    connection.socket.on('ping', () => {
      pings += 1;
    });

    // Act: quiet for 550 ms, then busy (a message every 20 ms) for 500 ms.
    await new Promise((resolve) => setTimeout(resolve, 550));
    const quietPings = pings;
    for (let sequence = 0; sequence < 25; sequence += 1) {
      connection.sendOutput(sequence, `${sequence};`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const busyPings = pings - quietPings;
    connection.sendChannelClosed();

    // Assert
    expect(quietPings).toBeGreaterThanOrEqual(3);
    expect(busyPings).toBeLessThanOrEqual(1);
    await output;
    await capture.done;
  });
});
