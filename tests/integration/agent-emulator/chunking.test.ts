import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { Utf8Chunker, utf8SafeCut } from '#local/agent-emulator/utf8-chunker.ts';
import { connectTestClient } from './test-client.ts';

const strict = new TextDecoder('utf-8', { fatal: true });

describe('agent-emulator: output chunks', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('sends at most 1024 bytes per message and never splits a UTF-8 character (pty output)', async () => {
    // Arrange: 700 × "€€€" = 6300 bytes of 3-byte characters, so 1024-byte cuts would land inside one.
    const session = emulator.createSession({
      command: `sh -c 'i=0; while [ $i -lt 700 ]; do printf "€€€"; i=$((i+1)); done'`,
    });

    // Act
    const client = await connectTestClient(session);
    await client.finished;

    // Assert
    const chunks = [...client.output.values()];
    expect(Buffer.concat(chunks).toString()).toBe('€€€'.repeat(700));
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(1024);
      expect(() => strict.decode(chunk)).not.toThrow();
    }
  });

  it('cuts generated output into full 1024-byte-or-less messages on character boundaries', async () => {
    // Arrange
    const session = emulator.createSession({ generatedOutputBytes: 300_000 });

    // Act
    const client = await connectTestClient(session);
    await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    const chunks = [...client.output.entries()].sort(([a], [b]) => a - b).map(([, chunk]) => chunk);
    for (const chunk of chunks.slice(0, -1)) {
      expect(chunk.length).toBeGreaterThanOrEqual(1021);
      expect(chunk.length).toBeLessThanOrEqual(1024);
      expect(() => strict.decode(chunk)).not.toThrow();
    }
    const all = client.delivered();
    expect(all.length).toBe(300_000);
    expect(report.outputBytes).toBe(300_000);
    expect(report.outputSha256).toBe(createHash('sha256').update(all).digest('hex'));
    expect(report.messages).toBe(chunks.length);
  });
});

describe('utf8-chunker', () => {
  it('moves a cut back before an incomplete multi-byte character, and leaves invalid bytes alone', () => {
    const euro = Buffer.from('€'); // e2 82 ac
    expect(utf8SafeCut(Buffer.concat([Buffer.from('ab'), euro]), 3)).toBe(2);
    expect(utf8SafeCut(Buffer.concat([Buffer.from('ab'), euro]), 4)).toBe(2);
    expect(utf8SafeCut(Buffer.concat([Buffer.from('ab'), euro]), 5)).toBe(5);
    expect(utf8SafeCut(Buffer.from('😀'), 3)).toBe(0);
    expect(utf8SafeCut(Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80]), 5)).toBe(5);
    expect(utf8SafeCut(Buffer.from([0x61, 0xff]), 2)).toBe(2);
  });

  it('carries an incomplete character to the next push and flushes leftovers at the end', () => {
    // Arrange
    const chunker = new Utf8Chunker();
    const smile = Buffer.from('😀');

    // Act
    const first = chunker.push(Buffer.concat([Buffer.from('x'), smile.subarray(0, 2)]));
    const second = chunker.push(smile.subarray(2));
    const third = chunker.push(smile.subarray(0, 1));
    const rest = chunker.flush();

    // Assert
    expect(first.map(String)).toEqual(['x']);
    expect(second.map(String)).toEqual(['😀']);
    expect(third).toEqual([]);
    expect(rest).toEqual([smile.subarray(0, 1)]);
  });

  it('splits a large buffer into chunks of at most 1024 bytes that decode on their own', () => {
    // Arrange
    const text = 'aé€😀'.repeat(2000);
    const chunker = new Utf8Chunker();

    // Act
    const chunks = [...chunker.push(Buffer.from(text)), ...chunker.flush()];

    // Assert
    expect(Buffer.concat(chunks).toString()).toBe(text);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(1024);
      expect(() => strict.decode(chunk)).not.toThrow();
    }
  });
});
