import { encodeMessage, Flags, MessageType, PayloadType } from '#lib/ssm-session/codec.ts';
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

describe('ssm-session capture: how a session ends', () => {
  let agent: FakeAgent;
  let ssm: FakeSsm;
  beforeAll(async () => {
    agent = await startFakeAgent();
    ssm = await startFakeSsm();
  });
  afterAll(async () => {
    await ssm.close();
    await agent.close();
  });

  async function open(sessionId?: string) {
    const capture = openSessionCapture({ session: credentials(agent, sessionId), ssm: ssm.client });
    const errors: Error[] = [];
    capture.output.on('error', (error) => errors.push(error));
    const connection = await agent.nextConnection();
    await connection.token;
    return { capture, connection, errors };
  }

  it('rejects with a SessionClosedError carrying the text of a non-empty channel_closed Output', async () => {
    // Arrange
    const { capture, connection, errors } = await open('session-closed-by-service');

    // Act
    connection.sendOutput(0, 'partial');
    connection.sendChannelClosed('Session is terminated due to idle timeout');

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'SessionClosedError',
      message: expect.stringContaining('idle timeout'),
    });
    expect(errors.map((e) => e.name)).toEqual(['SessionClosedError']);
    expect(ssm.terminated).not.toContain('session-closed-by-service');
  });

  it('rejects with a SessionInterruptedError when the socket closes without channel_closed, after TerminateSession', async () => {
    // Arrange: the session may still run the command on the agent; a retry must not run it twice.
    const { capture, connection } = await open('session-interrupted');

    // Act
    connection.sendOutput(0, 'partial');
    await connection.waitFor(() => connection.ackedSequences().length === 1);
    connection.socket.terminate();

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    expect(ssm.terminated).toContain('session-interrupted');
  });

  it('rejects with a ProtocolError naming PayloadDigest when a digest is wrong, does not ack it, and terminates the session', async () => {
    // Arrange
    const { capture, connection } = await open('session-bad-digest');
    const frame = outputFrame(0, 'tampered');
    frame[80] = (frame[80] ?? 0) ^ 0xff;

    // Act
    connection.sendFrame(frame);

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'ProtocolError', field: 'PayloadDigest' });
    expect(connection.ackedSequences()).toEqual([]);
    expect(ssm.terminated).toContain('session-bad-digest');
  });

  it('rejects with a ProtocolError naming SequenceNumber when a gap exceeds the reorder buffer', async () => {
    // Arrange
    const capture = openSessionCapture({
      session: credentials(agent),
      ssm: ssm.client,
      reorderCapacity: 4,
    });
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
