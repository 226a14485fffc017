import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeMessage, Flags, MessageType, PayloadType } from '#lib/ssm-session/codec.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { connectTestClient } from './test-client.ts';

function ack(type: string, id: string, seq: number, flags: bigint = Flags.Ack): Buffer {
  const payload = {
    AcknowledgedMessageType: type,
    AcknowledgedMessageId: id,
    AcknowledgedMessageSequenceNumber: seq,
    IsSequentialMessage: true,
  };
  return encodeMessage({
    messageType: MessageType.Acknowledge,
    sequenceNumber: 0n,
    flags,
    payloadType: 0,
    payload: Buffer.from(JSON.stringify(payload)),
  });
}

function input(seq: number, payloadType: number, payload: Buffer): Buffer {
  return encodeMessage({
    messageType: MessageType.InputStreamData,
    sequenceNumber: BigInt(seq),
    flags: Flags.None,
    payloadType,
    payload,
  });
}

describe('agent-emulator: protocol violations by the client', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('reports none for a correct client, across every kind of session', async () => {
    // Arrange
    const sessions = [
      emulator.createSession({ command: 'echo fine' }),
      emulator.createSession({
        generatedOutputBytes: 100_000,
        faults: { seed: 11, duplicateRate: 0.1, reorderWindow: 3, publicationMessages: true },
      }),
    ];

    // Act
    for (const session of sessions) {
      const client = await connectTestClient(session);
      await client.firstOutput;
      await client.sendInput(PayloadType.Size, Buffer.from('{"cols":200,"rows":50}'));
      await client.finished;
    }

    // Assert
    expect(emulator.violations()).toEqual([]);
    expect(emulator.report(sessions[0]?.sessionId ?? '').terminalSize).toEqual({ cols: 200, rows: 50 });
  });

  it('reports acks of unsent seqs, wrong ids, wrong flags, malformed acks and acked publication messages', async () => {
    // Arrange: a session that never closes, so the client can misbehave at leisure.
    const session = emulator.createSession({
      command: 'echo x',
      faults: { neverClose: true, publicationMessages: true },
    });
    const client = await connectTestClient(session, { shouldAck: () => false, ackPublication: true });
    while (!client.arrivals.some((a) => a.messageType === 'output_stream_data')) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const first = client.arrivals.find((a) => a.messageType === 'output_stream_data');
    expect(first?.seq).toBe(0);

    // Act
    client.sendRaw(ack(MessageType.OutputStreamData, randomUUID(), 42));
    client.sendRaw(ack(MessageType.OutputStreamData, randomUUID(), 0, Flags.None));
    client.sendRaw(
      encodeMessage({
        messageType: MessageType.Acknowledge,
        sequenceNumber: 0n,
        flags: Flags.Ack,
        payloadType: 0,
        payload: Buffer.from('{not json'),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const violations = emulator.report(session.sessionId).violations;

    // Assert
    expect(violations).toContain('ack of seq 42, which was never sent (next seq is 1)');
    expect(violations).toContain('an acknowledge message has flags 0, not 3 (SYN|FIN)');
    expect(violations.some((v) => /^ack of seq 0 names message id .+, but seq 0 is /.test(v))).toBe(true);
    expect(
      violations.some((v) => v.startsWith('malformed acknowledge: acknowledge payload: is not valid JSON')),
    ).toBe(true);
    expect(violations).toContain(
      'acknowledged a "start_publication" message (seq 0); only output_stream_data is acknowledged',
    );
    client.ws.close();
  });

  it('reports a bad digest, a text frame, an input gap, Size before output and unknown message types', async () => {
    // Arrange: output starts late, so Size arrives before the first output.
    const session = emulator.createSession({
      command: 'echo y',
      faults: { startDelayMs: 800, neverClose: true },
    });
    const client = await connectTestClient(session);

    // Act
    const size = input(0, PayloadType.Size, Buffer.from('{"cols":80,"rows":24}'));
    client.sendRaw(size);
    const corrupt = Buffer.from(input(0, PayloadType.Output, Buffer.from('abc')));
    corrupt[corrupt.length - 1] = 0x64;
    client.sendRaw(corrupt);
    client.sendRaw('{"hello":1}', false);
    client.sendRaw(
      encodeMessage({
        messageType: MessageType.ChannelClosed,
        sequenceNumber: 0n,
        flags: Flags.None,
        payloadType: 0,
        payload: Buffer.from('{}'),
      }),
    );
    await client.firstOutput;
    client.sendRaw(size);
    client.sendRaw(input(1, PayloadType.Output, Buffer.from('a')));
    client.sendRaw(input(5, PayloadType.Output, Buffer.from('b')));
    client.sendRaw(input(1, PayloadType.Output, Buffer.from('not a resend')));
    client.sendRaw(input(2, PayloadType.Flag, Buffer.from([0, 0, 0, 2])));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const violations = emulator.report(session.sessionId).violations;

    // Assert
    expect(violations).toContain(
      'Size (input seq 0) sent before the first output; send it after the first output',
    );
    expect(violations).toContain(
      'rejected a frame (seq 0): PayloadDigest: does not match the SHA-256 of the payload',
    );
    expect(violations).toContain(
      'a TEXT frame after OpenDataChannelInput (every later frame must be BINARY)',
    );
    expect(violations).toContain('the client sent a "channel_closed" message, which clients never send');
    expect(violations).toContain('input seq 5 arrived while seq 2 is missing (input sequence gap)');
    expect(violations).toContain('input seq 2 has payload type 10, which a client never sends');
    expect(violations).toContain(
      'input seq 1 was reused for a different payload (sequence numbers must increase by 1 per message)',
    );
    expect(emulator.report(session.sessionId).terminalSize).toEqual({ cols: 80, rows: 24 });
    expect(emulator.violations().filter((v) => v.startsWith(`${session.sessionId}: `)).length).toBe(
      violations.length,
    );
    client.ws.close();
  });
});
