import { SSMClient } from '@aws-sdk/client-ssm';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { hashOutput } from './helpers.ts';

describe('ssm-session capture against the agent emulator: deadline and abort', () => {
  let emulator: AgentEmulator;
  let ssm: SSMClient;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
    ssm = new SSMClient({ endpoint: emulator.httpEndpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    ssm.destroy();
    await emulator.close();
  });

  it('a command still running at the deadline: Ctrl-C, TerminateSession, reported truncated, output kept', async () => {
    // Arrange
    const session = emulator.createSession({ command: `sh -c 'echo started; sleep 30; echo never'` });

    // Act
    const capture = openSessionCapture({ session, ssm, deadline: Date.now() + 1500 });
    const output = await hashOutput(capture.output);
    const summary = await capture.done;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(summary).toMatchObject({ truncated: true, truncatedReason: 'deadline' });
    expect(summary.terminateError).toBeUndefined();
    expect(report.state).toBe('terminated');
    expect(output.text).toBe('started\r\n');
    expect(report.violations).toEqual([]);
  });

  it('neverClose: the deadline ends the capture with everything the agent sent', async () => {
    // Arrange
    const session = emulator.createSession({
      generatedOutputBytes: 300 * 1024,
      faults: { neverClose: true },
    });

    // Act
    const capture = openSessionCapture({ session, ssm, deadline: Date.now() + 3000 });
    const output = await hashOutput(capture.output);
    const summary = await capture.done;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(summary).toMatchObject({ truncated: true, truncatedReason: 'deadline', bytes: 300 * 1024 });
    expect(output.sha256).toBe(report.outputSha256);
    expect(report.state).toBe('terminated');
    expect(report.violations).toEqual([]);
  });

  it('an AbortSignal does the same with the reason "aborted"', async () => {
    // Arrange
    const session = emulator.createSession({ command: `sh -c 'echo waiting; sleep 30'` });
    const controller = new AbortController();

    // Act
    const capture = openSessionCapture({ session, ssm, signal: controller.signal });
    const output = hashOutput(capture.output);
    setTimeout(() => controller.abort(), 800);
    const summary = await capture.done;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(summary).toMatchObject({ truncated: true, truncatedReason: 'aborted' });
    expect((await output).text).toBe('waiting\r\n');
    expect(report.state).toBe('terminated');
    expect(report.violations).toEqual([]);
  });
});
