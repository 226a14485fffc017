import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { connectTestClient } from './test-client.ts';

describe('agent-emulator: retransmission of unacked output', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('resends a message whose ack the client withholds, until it is acked', async () => {
    // Arrange: the client ignores the first two arrivals of seq 0.
    const session = emulator.createSession({ command: `sh -c 'echo first; sleep 0.6; echo second'` });

    // Act
    const client = await connectTestClient(session, {
      shouldAck: (message, arrival) => message.sequenceNumber !== 0n || arrival > 2,
    });
    await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    const seq0 = client.arrivals.filter((a) => a.messageType === 'output_stream_data' && a.seq === 0);
    expect(seq0.length).toBeGreaterThanOrEqual(3);
    expect(report.resends).toBeGreaterThanOrEqual(2);
    expect(client.delivered().toString()).toBe('first\r\nsecond\r\n');
    expect(report).toMatchObject({ state: 'closed', violations: [] });
  });

  it('waits up to 2 s for acks at the end, then closes the channel anyway', async () => {
    // Arrange: the client never acks anything.
    const session = emulator.createSession({ command: 'echo unacked' });
    const opened = Date.now();

    // Act
    const client = await connectTestClient(session, { shouldAck: () => false });
    const result = await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(Date.now() - opened).toBeGreaterThanOrEqual(2000);
    expect(result.channelClosed?.Output).toBe('');
    expect(report.state).toBe('closed');
    expect(report.resends).toBeGreaterThanOrEqual(2);
  });
});
