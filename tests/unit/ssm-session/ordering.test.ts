import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, outputFrame, startFakeAgent } from './fake-agent.ts';

describe('ssm-session capture: ordering and de-duplication', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('delivers every acked message in order when sequence 0 arrives last, and never delivers a duplicate', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent) });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    const chunks = ['zero|', 'one|', 'two|', 'three|'];

    // Act: 3, 2, 1 buffered ahead of 0; then duplicates of 1 and 0.
    for (const sequence of [3, 2, 1, 0, 1, 0]) connection.sendOutput(sequence, chunks[sequence] ?? '');
    await connection.waitFor(() => connection.ackedSequences().length === 6);
    connection.sendChannelClosed();

    // Assert
    await expect(output).resolves.toEqual(Buffer.from('zero|one|two|three|'));
    await expect(capture.done).resolves.toMatchObject({
      truncated: false,
      bytes: 19,
      messages: 4,
      duplicates: 2,
      outOfOrder: 3,
      encrypted: false,
    });
    expect(connection.ackedSequences()).toEqual([3, 2, 1, 0, 1, 0]);
    await expect(connection.closed).resolves.toEqual({ code: 1000 });
  });

  it('acks a duplicate of a message still buffered ahead of the gap without storing it twice', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent) });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendFrame(outputFrame(1, 'b'));
    connection.sendFrame(outputFrame(1, 'b'));
    connection.sendFrame(outputFrame(0, 'a'));
    await connection.waitFor(() => connection.ackedSequences().length === 3);
    connection.sendChannelClosed();

    // Assert
    await expect(output).resolves.toEqual(Buffer.from('ab'));
    await expect(capture.done).resolves.toMatchObject({ messages: 2, duplicates: 1 });
  });

  it('fails with a ProtocolError when channel_closed arrives while a gap is still open', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent) });
    capture.output.on('error', () => {});
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(0, 'a');
    connection.sendOutput(2, 'c');
    await connection.waitFor(() => connection.ackedSequences().length === 2);
    connection.sendChannelClosed();

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'ProtocolError', field: 'SequenceNumber' });
  });
});
