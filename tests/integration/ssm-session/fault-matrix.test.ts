import { SSMClient } from '@aws-sdk/client-ssm';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { type AgentEmulator, type AgentFaults, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { hashOutput } from './helpers.ts';

interface Case {
  name: string;
  bytes: number;
  faults: AgentFaults;
  expect?: { duplicates?: boolean; outOfOrder?: boolean; agentResends?: boolean };
}

const CASES: Case[] = [
  { name: 'no faults', bytes: 512 * 1024, faults: {} },
  {
    name: 'duplicates',
    bytes: 256 * 1024,
    faults: { seed: 1, duplicateRate: 0.3 },
    expect: { duplicates: true },
  },
  {
    name: 'reorder window 4',
    bytes: 256 * 1024,
    faults: { seed: 2, reorderWindow: 4 },
    expect: { outOfOrder: true },
  },
  {
    name: 'reorder window 32',
    bytes: 256 * 1024,
    faults: { seed: 3, reorderWindow: 32 },
    expect: { outOfOrder: true },
  },
  {
    name: 'dropped first copies',
    bytes: 96 * 1024,
    faults: { seed: 4, dropFirstCopyRate: 0.05 },
    expect: { agentResends: true },
  },
  { name: 'publication messages', bytes: 256 * 1024, faults: { seed: 5, publicationMessages: true } },
  { name: 'start delay', bytes: 64 * 1024, faults: { startDelayMs: 400 } },
  { name: 'slow acks of client input', bytes: 64 * 1024, faults: { ackDelayMs: 350 } },
  {
    name: 'everything at once',
    bytes: 96 * 1024,
    faults: {
      seed: 6,
      duplicateRate: 0.2,
      reorderWindow: 8,
      dropFirstCopyRate: 0.03,
      publicationMessages: true,
      startDelayMs: 150,
      ackDelayMs: 250,
    },
    expect: { duplicates: true, outOfOrder: true, agentResends: true },
  },
  {
    name: 'duplicates + reordering, other seed',
    bytes: 256 * 1024,
    faults: { seed: 77, duplicateRate: 0.5, reorderWindow: 16 },
    expect: { duplicates: true, outOfOrder: true },
  },
];

describe('ssm-session capture against the agent emulator: fault matrix', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it.each(CASES)('$name: byte-exact output, no violations', async ({ bytes, faults, expect: expected }) => {
    // Arrange
    const session = emulator.createSession({ generatedOutputBytes: bytes, faults });

    // Act
    const capture = openSessionCapture({ session, terminalSize: { cols: 200, rows: 50 } });
    const output = await hashOutput(capture.output);
    const summary = await capture.done;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(report.violations).toEqual([]);
    expect(report.state).toBe('closed');
    expect(output.bytes).toBe(bytes);
    expect(output.sha256).toBe(report.outputSha256);
    expect(summary).toMatchObject({ truncated: false, bytes, messages: report.messages });
    expect(report.terminalSize).toEqual({ cols: 200, rows: 50 });
    if (expected?.duplicates) expect(summary.duplicates).toBeGreaterThan(0);
    if (expected?.outOfOrder) expect(summary.outOfOrder).toBeGreaterThan(0);
    if (expected?.agentResends) expect(report.resends).toBeGreaterThan(0);
  });

  it('a real command under the pty: its CRLF output, byte-exact', async () => {
    // Arrange
    const session = emulator.createSession({
      command: `sh -c 'printf "first\\nsecond\\n"; echo "ünïcödé → ok"'`,
      faults: { seed: 9, duplicateRate: 0.3, reorderWindow: 3 },
    });

    // Act
    const capture = openSessionCapture({ session });
    const output = await hashOutput(capture.output);
    await capture.done;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(output.text).toBe('first\r\nsecond\r\nünïcödé → ok\r\n');
    expect(output.sha256).toBe(report.outputSha256);
    expect(report.violations).toEqual([]);
  });

  it('closeReason: rejects with a SessionClosedError carrying the reason', async () => {
    // Arrange
    const session = emulator.createSession({
      generatedOutputBytes: 8 * 1024,
      faults: { closeReason: 'Session terminated by an administrator' },
    });

    // Act
    const capture = openSessionCapture({ session });
    capture.output.resume();
    capture.output.on('error', () => {});

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'SessionClosedError',
      message: expect.stringContaining('Session terminated by an administrator'),
    });
    expect((await emulator.waitForSession(session.sessionId)).violations).toEqual([]);
  });

  it('dropConnectionAfterMessages: rejects with a SessionInterruptedError and destroys the output', async () => {
    // Arrange
    const session = emulator.createSession({
      generatedOutputBytes: 256 * 1024,
      faults: { dropConnectionAfterMessages: 40 },
    });

    const ssm = new SSMClient({ endpoint: emulator.httpEndpoint, maxAttempts: 1 });

    // Act
    const capture = openSessionCapture({ session, ssm });
    const output = hashOutput(capture.output);

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    await expect(output).rejects.toMatchObject({ name: 'SessionInterruptedError' });
    const report = await emulator.waitForSession(session.sessionId);
    expect(report.state).toBe('dropped');
    expect(report.violations).toEqual([]);
    ssm.destroy();
  });
});
