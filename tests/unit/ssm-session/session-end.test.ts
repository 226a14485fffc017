import { encodeMessage, Flags, MessageType, PayloadType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, outputFrame, startFakeAgent } from './fake-agent.ts';

describe('ssm-session capture: how a session ends', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  async function open() {
    const capture = openSessionCapture({ session: credentials(agent) });
    const errors: Error[] = [];
    capture.output.on('error', (error) => errors.push(error));
    const connection = await agent.nextConnection();
    await connection.token;
    return { capture, connection, errors };
  }

  it('rejects with a SessionClosedError carrying the text of a non-empty channel_closed Output', async () => {
    // Arrange
    const { capture, connection, errors } = await open();

    // Act
    connection.sendOutput(0, 'partial');
    connection.sendChannelClosed('Session is terminated due to idle timeout');

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'SessionClosedError',
      message: expect.stringContaining('idle timeout'),
    });
    expect(errors.map((e) => e.name)).toEqual(['SessionClosedError']);
  });

  it('rejects with a SessionInterruptedError when the socket closes without channel_closed', async () => {
    // Arrange
    const { capture, connection } = await open();

    // Act
    connection.sendOutput(0, 'partial');
    await connection.waitFor(() => connection.ackedSequences().length === 1);
    connection.socket.terminate();

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'SessionInterruptedError' });
  });

  it('rejects with a ProtocolError naming PayloadDigest when a digest is wrong, and does not ack it', async () => {
    // Arrange
    const { capture, connection } = await open();
    const frame = outputFrame(0, 'tampered');
    frame[80] = (frame[80] ?? 0) ^ 0xff;

    // Act
    connection.sendFrame(frame);

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'ProtocolError', field: 'PayloadDigest' });
    expect(connection.ackedSequences()).toEqual([]);
  });

  it('rejects with a ProtocolError naming SequenceNumber when a gap exceeds the reorder buffer', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent), reorderCapacity: 4 });
    capture.output.on('error', () => {});
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(9, 'far ahead');

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'ProtocolError', field: 'SequenceNumber' });
    expect(connection.ackedSequences()).toEqual([]);
  });

  it('delivers StdErr payloads, skips HandshakeComplete text, and ignores messages meant for other peers', async () => {
    // Arrange
    const { capture, connection } = await open();
    const output = collect(capture.output);

    // Act
    connection.sendOutput(0, 'out|');
    connection.sendOutput(
      1,
      '{"HandshakeTimeToComplete":1,"CustomerMessage":"hello"}',
      PayloadType.HandshakeComplete,
    );
    connection.sendOutput(2, 'err|', PayloadType.StdErr);
    connection.sendFrame(
      encodeMessage({
        messageType: 'agent_session_state',
        sequenceNumber: 0n,
        flags: Flags.Ack,
        payloadType: 0,
        payload: Buffer.from('{"SessionState":"Terminating"}'),
      }),
    );
    await connection.waitFor(() => connection.ackedSequences().length === 3);
    connection.sendChannelClosed();

    // Assert
    await expect(output).resolves.toEqual(Buffer.from('out|err|'));
    await expect(capture.done).resolves.toMatchObject({ messages: 3 });
    expect(connection.received.every((m) => m.messageType === MessageType.Acknowledge)).toBe(true);
  });
});
