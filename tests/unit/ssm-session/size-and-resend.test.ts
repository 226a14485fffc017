import { decodeAcknowledge } from '#lib/ssm-session/acknowledge.ts';
import { MessageType, PayloadType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, startFakeAgent, testClock } from './fake-agent.ts';

describe('ssm-session capture: the Size message and resends', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('sends Size only after the first output, resends it on the RTO until acked, then stops', async () => {
    // Arrange: the resend scheduler runs on a clock the test moves (ticks of 100 ms, first RTO 200 ms).
    const { clock, tick } = testClock();
    const capture = openSessionCapture({
      session: credentials(agent),
      terminalSize: { cols: 250, rows: 50 },
      clock,
    });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    tick(300);
    await connection.roundTrip();
    expect(connection.inputs()).toEqual([]);

    // Act: first output; leave the Size unacked for 700 ms of clock time, then ack it.
    connection.sendOutput(0, 'hello');
    const size = await connection.waitFor((m) => m.messageType === MessageType.InputStreamData);
    for (let step = 0; step < 7; step += 1) tick(100);
    await connection.waitFor(() => connection.inputs().length >= 3);
    connection.sendAck(size);
    await connection.roundTrip();
    const copiesAtAck = connection.inputs().length;
    for (let step = 0; step < 20; step += 1) tick(100);
    connection.sendOutput(1, '!');
    await connection.waitFor(() => connection.ackedSequences().length === 2);
    connection.sendChannelClosed();

    // Assert: resent at 300 ms (past the 200 ms RTO) and at 600 ms (the same RTO: no ack yet), never after the ack.
    expect(size.payloadType).toBe(PayloadType.Size);
    expect(size.sequenceNumber).toBe(0n);
    expect(JSON.parse(size.payload.toString())).toEqual({ cols: 250, rows: 50 });
    const copies = connection.inputs();
    expect(new Set(copies.map((m) => m.messageId))).toEqual(new Set([size.messageId]));
    expect(copiesAtAck).toBe(3);
    expect(copies.length).toBe(copiesAtAck);
    await expect(output).resolves.toEqual(Buffer.from('hello!'));
    const summary = await capture.done;
    expect(summary.resends).toBe(2);
    const acked = connection.received
      .filter((m) => m.messageType === MessageType.Acknowledge)
      .map(decodeAcknowledge);
    expect(acked.map((a) => a.AcknowledgedMessageSequenceNumber)).toEqual([0, 1]);
  });

  it('sends no Size message when no terminal size is asked for', async () => {
    // Arrange
    const { clock, tick } = testClock();
    const capture = openSessionCapture({ session: credentials(agent), clock });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(0, 'x');
    await connection.waitFor(() => connection.ackedSequences().length === 1);
    tick(1000);
    await connection.roundTrip();
    connection.sendChannelClosed();

    // Assert
    await output;
    await capture.done;
    expect(connection.inputs()).toEqual([]);
  });
});
