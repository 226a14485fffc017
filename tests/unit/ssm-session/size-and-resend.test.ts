import { decodeAcknowledge, MessageType, PayloadType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, startFakeAgent } from './fake-agent.ts';

describe('ssm-session capture: the Size message and resends', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('sends Size only after the first output, resends it on the RTO until acked, then stops', async () => {
    // Arrange
    const capture = openSessionCapture({
      session: credentials(agent),
      terminalSize: { cols: 250, rows: 50 },
    });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(connection.inputs()).toEqual([]);

    // Act: first output; leave the Size unacked for a while, then ack it.
    connection.sendOutput(0, 'hello');
    const size = await connection.waitFor((m) => m.messageType === MessageType.InputStreamData);
    await connection.waitFor(() => connection.inputs().length >= 3, 3000);
    connection.sendAck(size);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const copiesAtAck = connection.inputs().length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    connection.sendChannelClosed();

    // Assert
    expect(size.payloadType).toBe(PayloadType.Size);
    expect(size.sequenceNumber).toBe(0n);
    expect(JSON.parse(size.payload.toString())).toEqual({ cols: 250, rows: 50 });
    const copies = connection.inputs();
    expect(new Set(copies.map((m) => m.messageId))).toEqual(new Set([size.messageId]));
    expect(copies.length).toBe(copiesAtAck);
    await expect(output).resolves.toEqual(Buffer.from('hello'));
    const summary = await capture.done;
    expect(summary.resends).toBe(copies.length - 1);
    expect(summary.resends).toBeGreaterThanOrEqual(2);
    const acked = connection.received
      .filter((m) => m.messageType === MessageType.Acknowledge)
      .map(decodeAcknowledge);
    expect(acked).toEqual([expect.objectContaining({ AcknowledgedMessageSequenceNumber: 0 })]);
  });

  it('sends no Size message when no terminal size is asked for', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent) });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(0, 'x');
    await connection.waitFor(() => connection.ackedSequences().length === 1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    connection.sendChannelClosed();

    // Assert
    await output;
    await capture.done;
    expect(connection.inputs()).toEqual([]);
  });
});
