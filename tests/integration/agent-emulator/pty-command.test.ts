import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PayloadType } from '#lib/ssm-session/codec.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { startPtyCommand } from '#local/agent-emulator/pty-command.ts';
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

  it('starts the terminal at 80x24 and resizes it to the Size the client sends', async () => {
    // Arrange
    const session = emulator.createSession({ command: `sh -c 'stty size; read line; stty size'` });
    const client = await connectTestClient(session);
    await client.firstOutput;

    // Act
    await client.sendInput(PayloadType.Size, Buffer.from('{"cols":132,"rows":43}'));
    await client.sendInput(PayloadType.Output, Buffer.from('\r'));
    await client.finished;

    // Assert: the first size, the typed line echoed, then the client's size.
    expect(client.delivered().toString()).toBe('24 80\r\n\r\n43 132\r\n');
    expect(emulator.report(session.sessionId)).toMatchObject({
      terminalSize: { cols: 132, rows: 43 },
      violations: [],
    });
  });

  it('rejects a command it cannot split, naming the field', () => {
    expect(() => emulator.createSession({ command: `echo 'unclosed` })).toThrow(
      /command: an unclosed single quote/,
    );
    expect(() => emulator.createSession({ command: '   ' })).toThrow(/command: is empty/);
    expect(() => emulator.createSession({})).toThrow(/exactly one of command or generatedOutputBytes/);
  });
});

describe('agent-emulator: startPtyCommand', () => {
  it('reports the exit code, and the signal of a command that a signal ended', async () => {
    // Arrange
    const exits = startPtyCommand(`sh -c 'exit 3'`);
    const killed = startPtyCommand(`sh -c 'kill -TERM $$'`);

    // Act
    const [exit, kill] = await Promise.all([exits.exited, killed.exited]);

    // Assert
    expect(exit).toEqual({ exitCode: 3, signal: null });
    expect(kill).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('keeps the end of the output when the command exits while reading is paused', async () => {
    // Arrange: more than the reader's buffer, so the terminal is paused with the rest still in it when the
    // command exits (node-pty closes the terminal 200 ms after the exit, read or not).
    const bytes = 64 * 1024 + 8 * 1024;
    const command = startPtyCommand(`sh -c 'stty -onlcr; head -c ${bytes} /dev/zero | tr "\\0" x'`);

    // Act: nothing is read until the command has exited.
    const exit = await command.exited;
    const chunks: Buffer[] = [];
    for await (const chunk of command.output) chunks.push(chunk as Buffer);

    // Assert
    expect(exit).toEqual({ exitCode: 0, signal: null });
    const text = Buffer.concat(chunks).toString();
    expect(text.length).toBe(bytes);
    expect(text.replaceAll('x', '')).toBe('');
  });

  it('ends a command that ignores SIGTERM and SIGHUP with SIGKILL', async () => {
    // Arrange
    const command = startPtyCommand(`sh -c 'trap "" TERM HUP; echo ready; while :; do sleep 1; done'`);
    command.output.resume();
    await new Promise((resolve) => command.output.once('data', resolve));

    // Act
    command.kill();
    const exit = await command.exited;

    // Assert
    expect(exit).toEqual({ exitCode: null, signal: 'SIGKILL' });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
