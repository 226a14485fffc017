import { encodeMessage, Flags, MessageType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, startFakeAgent } from './fake-agent.ts';

function publication(type: string): Buffer {
  return encodeMessage({
    messageType: type,
    sequenceNumber: 0n,
    flags: Flags.None,
    payloadType: 0,
    payload: Buffer.alloc(0),
  });
}

describe('ssm-session capture: publication messages', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('ignores start_publication and pause_publication without acking them', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent) });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendFrame(publication(MessageType.StartPublication));
    connection.sendOutput(0, 'a');
    connection.sendFrame(publication(MessageType.PausePublication));
    connection.sendFrame(publication(MessageType.StartPublication));
    connection.sendOutput(1, 'b');
    await connection.waitFor(() => connection.ackedSequences().length === 2);
    connection.sendChannelClosed();

    // Assert
    await expect(output).resolves.toEqual(Buffer.from('ab'));
    await capture.done;
    expect(connection.received.map((m) => m.messageType)).toEqual([
      MessageType.Acknowledge,
      MessageType.Acknowledge,
    ]);
  });
});
