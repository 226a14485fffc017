import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PayloadType } from '#lib/ssm-session/codec.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { connectTestClient } from './test-client.ts';

describe('agent-emulator: a real command under a pty', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('merges stderr into the output with CRLF line endings, SYN on seq 0 only, then channel_closed', async () => {
    // Arrange
    const session = emulator.createSession({ command: `sh -c 'echo out; echo err >&2; echo done'` });

    // Act
    const client = await connectTestClient(session);
    const result = await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(client.delivered().toString()).toBe('out\r\nerr\r\ndone\r\n');
    const outputs = client.arrivals.filter((a) => a.messageType === 'output_stream_data');
    expect(outputs[0]).toMatchObject({ seq: 0, flags: 1n, payloadType: PayloadType.Output });
    for (const later of outputs.slice(1)) expect(later.flags).toBe(0n);
    expect(result.channelClosed).toMatchObject({ Output: '', SessionId: session.sessionId });
    expect(report).toMatchObject({ state: 'closed', outputBytes: 16, violations: [] });
    expect(report.outputSha256).toBe(createHash('sha256').update(client.delivered()).digest('hex'));
  });

  it('execs the shell-split argv directly, without a shell interpreting it', async () => {
    // Arrange: quotes group words, but $, ; and > reach the program literally.
    const session = emulator.createSession({ command: `printf '%s|' "a b" 'c;d' $HOME '>x'` });

    // Act
    const client = await connectTestClient(session);
    await client.finished;

    // Assert
    expect(client.delivered().toString()).toBe('a b|c;d|$HOME|>x|');
    expect(emulator.report(session.sessionId).violations).toEqual([]);
  });

  it('sets TERM and LANG like the agent unless the spec sets them, and passes env through', async () => {
    // Arrange
    const defaults = emulator.createSession({
      command: `sh -c 'echo "$TERM $LANG $EXTRA"'`,
      env: { EXTRA: 'x1' },
    });
    const overridden = emulator.createSession({ command: `sh -c 'echo "$TERM"'`, env: { TERM: 'dumb' } });

    // Act
    const first = await connectTestClient(defaults);
    const second = await connectTestClient(overridden);
    await Promise.all([first.finished, second.finished]);

    // Assert
    expect(first.delivered().toString()).toBe('xterm-256color C.UTF-8 x1\r\n');
    expect(second.delivered().toString()).toBe('dumb\r\n');
  });

  it('types client input into the terminal: a line is read, and Ctrl-C (0x03) interrupts the command', async () => {
    // Arrange
    const session = emulator.createSession({
      command: `sh -c 'echo ready; read line; echo "got $line"; sleep 30; echo never'`,
    });
    const client = await connectTestClient(session);
    await client.firstOutput;

    // Act
    await client.sendInput(PayloadType.Output, Buffer.from('hello\r'));
    await waitFor(() => client.delivered().toString().includes('got hello'));
    await client.sendInput(PayloadType.Output, Buffer.from([0x03]));
    const result = await client.finished;

    // Assert
    const text = client.delivered().toString();
    expect(text).toContain('got hello\r\n');
    expect(text).not.toContain('never');
    expect(result.channelClosed?.Output).toBe('');
    expect(emulator.report(session.sessionId)).toMatchObject({ state: 'closed', violations: [] });
  });

  it('reports a program that does not exist through the terminal, as the agent does', async () => {
    // Arrange
    const session = emulator.createSession({ command: 'definitely-not-a-program-xyz --flag' });

    // Act
    const client = await connectTestClient(session);
    await client.finished;

    // Assert
    expect(client.delivered().toString()).toMatch(/definitely-not-a-program-xyz: not found\r\n$/);
  });

  it('rejects a command it cannot split, naming the field', () => {
    expect(() => emulator.createSession({ command: `echo 'unclosed` })).toThrow(
      /command: an unclosed single quote/,
    );
    expect(() => emulator.createSession({ command: '   ' })).toThrow(/command: is empty/);
    expect(() => emulator.createSession({})).toThrow(/exactly one of command or generatedOutputBytes/);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
