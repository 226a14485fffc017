import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PayloadType } from '#lib/ssm-session/codec.ts';
import { type AgentEmulator, type AgentFaults, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { type Arrival, connectTestClient } from './test-client.ts';

const outputs = (arrivals: Arrival[]): Arrival[] =>
  arrivals.filter((a) => a.messageType === 'output_stream_data');
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('agent-emulator: fault switches', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function run(faults: AgentFaults, bytes = 50_000) {
    const session = emulator.createSession({ generatedOutputBytes: bytes, faults });
    const client = await connectTestClient(session);
    const result = await client.finished;
    const report = await emulator.waitForSession(session.sessionId);
    return { session, client, result, report };
  }

  it('duplicateRate sends some stream messages twice; the output is still whole', async () => {
    const { client, report } = await run({ seed: 7, duplicateRate: 0.3 });

    const seqs = outputs(client.arrivals).map((a) => a.seq);
    const duplicates = seqs.length - new Set(seqs).size;
    expect(duplicates).toBeGreaterThan(5);
    expect(sha256(client.delivered())).toBe(report.outputSha256);
    expect(report.violations).toEqual([]);
  });

  it('the same seed gives the same faults', async () => {
    const first = await run({ seed: 99, duplicateRate: 0.2, reorderWindow: 4 });
    const second = await run({ seed: 99, duplicateRate: 0.2, reorderWindow: 4 });

    const order = (arrivals: Arrival[]) => outputs(arrivals).map((a) => a.seq);
    expect(order(first.client.arrivals)).toEqual(order(second.client.arrivals));
  });

  it('reorderWindow shuffles output within windows; sequence 0 can arrive late', async () => {
    // Arrange: find a seed whose first window does not start with seq 0 (the PRNG is deterministic).
    const { client, report } = await run({ seed: 3, reorderWindow: 4 });

    const seqs = outputs(client.arrivals).map((a) => a.seq);
    expect(seqs).not.toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).not.toBe(0);
    for (let start = 0; start < seqs.length; start += 4) {
      const window = seqs.slice(start, start + 4).sort((a, b) => a - b);
      expect(window[0]).toBe(start);
    }
    const seq0 = outputs(client.arrivals).find((a) => a.seq === 0);
    expect(seq0?.flags).toBe(1n);
    expect(sha256(client.delivered())).toBe(report.outputSha256);
    expect(report.violations).toEqual([]);
  });

  it('dropFirstCopyRate drops first transmissions; the RTO resend recovers them', async () => {
    const { client, report } = await run({ seed: 5, dropFirstCopyRate: 0.05 }, 400_000);

    expect(report.resends).toBeGreaterThan(0);
    const seqs = outputs(client.arrivals).map((a) => a.seq);
    expect(seqs).not.toEqual([...seqs].sort((a, b) => a - b));
    expect(sha256(client.delivered())).toBe(report.outputSha256);
    expect(report.violations).toEqual([]);
  });

  it('publicationMessages interleaves start_publication / pause_publication, which a good client ignores', async () => {
    const { client, report } = await run({ publicationMessages: true }, 20_000);

    const types = client.arrivals.map((a) => a.messageType);
    expect(types[0]).toBe('start_publication');
    expect(types.filter((t) => t === 'pause_publication').length).toBeGreaterThan(2);
    expect(sha256(client.delivered())).toBe(report.outputSha256);
    expect(report.violations).toEqual([]);
  });

  it('neverClose leaves the channel open after the output until TerminateSession', async () => {
    // Arrange
    const session = emulator.createSession({ command: 'echo hello', faults: { neverClose: true } });
    const client = await connectTestClient(session);
    await client.firstOutput;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = emulator.report(session.sessionId);

    // Act
    const response = await fetch(emulator.httpEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.TerminateSession' },
      body: JSON.stringify({ SessionId: session.sessionId }),
    });
    const result = await client.finished;

    // Assert
    expect(before.state).toBe('running');
    expect(client.delivered().toString()).toBe('hello\r\n');
    expect(response.status).toBe(200);
    expect(result.channelClosed).toBeDefined();
    expect(emulator.report(session.sessionId).state).toBe('terminated');
  });

  it('dropConnectionAfterMessages kills the socket mid-stream without channel_closed', async () => {
    const { client, result, report } = await run({ dropConnectionAfterMessages: 5 });

    expect(result.channelClosed).toBeUndefined();
    expect(result.code).toBe(1006);
    expect(outputs(client.arrivals).length).toBeLessThanOrEqual(5);
    expect(report).toMatchObject({ state: 'dropped', messages: 5 });
  });

  it('startDelayMs holds the first output back', async () => {
    // Arrange
    const session = emulator.createSession({ command: 'echo late', faults: { startDelayMs: 700 } });
    const started = Date.now();

    // Act
    const client = await connectTestClient(session);
    await client.firstOutput;

    // Assert
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    await client.finished;
  });

  it('ackDelayMs delays the acks of client input', async () => {
    // Arrange
    const session = emulator.createSession({
      command: `sh -c 'echo ready; read x; sleep 1.5; echo "read $x"'`,
      faults: { ackDelayMs: 600 },
    });
    const client = await connectTestClient(session);
    await client.firstOutput;

    // Act
    const sent = Date.now();
    await client.sendInput(PayloadType.Output, Buffer.from('abc\r'));
    const acked = Date.now();
    await client.finished;

    // Assert
    expect(acked - sent).toBeGreaterThanOrEqual(600);
    expect(client.delivered().toString()).toContain('read abc\r\n');
    expect(emulator.report(session.sessionId).violations).toEqual([]);
  });

  it('closeReason puts a non-empty Output into channel_closed', async () => {
    const { result } = await run({ closeReason: 'session idle timeout' }, 10);

    expect(result.channelClosed?.Output).toBe('session idle timeout');
  });

  it('rejects fault values out of range, naming the field', () => {
    expect(() => emulator.createSession({ generatedOutputBytes: 1, faults: { duplicateRate: 1.5 } })).toThrow(
      /faults.duplicateRate/,
    );
    expect(() => emulator.createSession({ generatedOutputBytes: 1, faults: { reorderWindow: -1 } })).toThrow(
      /faults.reorderWindow/,
    );
  });
});
