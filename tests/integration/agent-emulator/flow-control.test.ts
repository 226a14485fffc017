import { SSMClient, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AgentEmulator, type SessionReport, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { connectTestClient } from './test-client.ts';

describe('agent-emulator: flow control', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('stops producing output while too many messages are unacked (bounded memory)', async () => {
    // Arrange: 100 MiB to send, and a client that never acks.
    const session = emulator.createSession({ generatedOutputBytes: 100 * 1024 * 1024 });
    const client = await connectTestClient(session, { shouldAck: () => false });

    // Act
    const stalled = await untilStable(() => emulator.report(session.sessionId));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = emulator.report(session.sessionId);
    const ssm = new SSMClient({ endpoint: emulator.httpEndpoint });
    await ssm.send(new TerminateSessionCommand({ SessionId: session.sessionId }));
    ssm.destroy();
    await client.finished;

    // Assert: at most the unacked window (2048 messages) plus one 64 KiB read was produced, and no more.
    expect(stalled.state).toBe('running');
    expect(stalled.messages).toBeGreaterThan(1000);
    expect(stalled.messages).toBeLessThanOrEqual(2048 + 64);
    expect(stalled.outputBytes).toBeLessThan(3 * 1024 * 1024);
    expect(later.outputBytes).toBe(stalled.outputBytes);
    expect(later.resends).toBeGreaterThan(stalled.resends);
    expect(emulator.report(session.sessionId).state).toBe('terminated');
  });

  it('stops reading the pty while the client does not ack, so the command blocks instead of filling memory', async () => {
    // Arrange: `yes` writes forever; the client never acks.
    const session = emulator.createSession({ command: 'yes emulator-backpressure' });
    const client = await connectTestClient(session, { shouldAck: () => false });

    // Act
    const stalled = await untilStable(() => emulator.report(session.sessionId));
    const ssm = new SSMClient({ endpoint: emulator.httpEndpoint });
    await ssm.send(new TerminateSessionCommand({ SessionId: session.sessionId }));
    ssm.destroy();
    await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(stalled.state).toBe('running');
    expect(stalled.messages).toBeGreaterThan(1000);
    expect(stalled.outputBytes).toBeLessThan(3 * 1024 * 1024);
    expect(report.state).toBe('terminated');
  });
});

/** Polls until the number of messages sent stops changing for 300 ms; returns the report at that point. */
async function untilStable(report: () => SessionReport): Promise<SessionReport> {
  let last = report();
  let stableSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = report();
    if (now.messages !== last.messages) stableSince = Date.now();
    else if (now.messages > 0 && Date.now() - stableSince >= 300) return now;
    last = now;
  }
}
