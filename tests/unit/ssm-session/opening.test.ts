import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, startFakeAgent, startFakeSsm } from './fake-agent.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ssm-session capture: opening the data channel', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('sends the OpenDataChannelInput token as the first (text) frame, fields in the documented order', async () => {
    // Arrange
    const session = credentials(agent);

    // Act
    const capture = openSessionCapture({ session });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    const token = await connection.token;
    connection.sendChannelClosed();

    // Assert
    expect(Object.keys(token.json)).toEqual([
      'MessageSchemaVersion',
      'RequestId',
      'TokenValue',
      'ClientId',
      'ClientVersion',
    ]);
    expect(token.json).toMatchObject({ MessageSchemaVersion: '1.0', TokenValue: session.tokenValue });
    expect(token.json.RequestId).toMatch(UUID_V4);
    expect(token.json.ClientId).toMatch(UUID_V4);
    expect(connection.received).toEqual([]);
    await expect(output).resolves.toEqual(Buffer.alloc(0));
    await expect(capture.done).resolves.toMatchObject({ truncated: false, bytes: 0, messages: 0 });
  });

  it('reports a refused connection as a SessionInterruptedError, after terminating the session', async () => {
    // Arrange
    const closedAgent = await startFakeAgent();
    const session = credentials(closedAgent, 'session-refused');
    await closedAgent.close();
    const ssm = await startFakeSsm();

    // Act
    const capture = openSessionCapture({ session, ssm: ssm.client });
    capture.output.on('error', () => {});

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    expect(ssm.terminated).toEqual(['session-refused']);
    await ssm.close();
  });
});
