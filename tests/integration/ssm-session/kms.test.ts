import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import { jest } from '@jest/globals';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { hashOutput } from './helpers.ts';

const TARGET =
  'ecs:diag-cluster_0123456789abcdef0123456789abcdef_0123456789abcdef0123456789abcdef-1234567890';

describe('ssm-session capture against the agent emulator: KMS encryption', () => {
  let emulator: AgentEmulator;
  let kms: KMSClient;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
    kms = new KMSClient({ endpoint: emulator.httpEndpoint, maxAttempts: 1 });
  });
  afterAll(async () => {
    kms.destroy();
    await emulator.close();
  });

  it('does the handshake (GenerateDataKey, challenge), decrypts the output, and encrypts its input', async () => {
    // Arrange
    const session = emulator.createSession({
      command: `sh -c 'echo "encrypted hello"; sleep 0.3; echo done'`,
      kms: { keyId: 'alias/ecs-exec' },
      targetId: TARGET,
      faults: { seed: 11, reorderWindow: 3, duplicateRate: 0.2 },
    });

    // Act
    const capture = openSessionCapture({
      session,
      kms,
      targetId: TARGET,
      terminalSize: { cols: 120, rows: 40 },
    });
    const output = await hashOutput(capture.output);
    const summary = await capture.done;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(report.violations).toEqual([]);
    expect(report.error).toBeUndefined();
    expect(report.state).toBe('closed');
    expect(output.text).toBe('encrypted hello\r\ndone\r\n');
    expect(output.sha256).toBe(report.outputSha256);
    expect(summary).toMatchObject({ encrypted: true, truncated: false });
    expect(report.terminalSize).toEqual({ cols: 120, rows: 40 });
  });

  it('makes the KMS client from a function given as `kms` only when the agent asks for encryption', async () => {
    // Arrange
    const makeKms = jest.fn(async () => kms);
    const plain = emulator.createSession({ command: `sh -c 'echo plain'`, targetId: TARGET });
    const encrypted = emulator.createSession({
      command: `sh -c 'echo secret'`,
      kms: { keyId: 'alias/ecs-exec' },
      targetId: TARGET,
    });

    // Act
    const plainCapture = openSessionCapture({ session: plain, kms: makeKms, targetId: TARGET });
    const plainOutput = await hashOutput(plainCapture.output);
    await plainCapture.done;
    const callsAfterPlain = makeKms.mock.calls.length;
    const encryptedCapture = openSessionCapture({ session: encrypted, kms: makeKms, targetId: TARGET });
    const encryptedOutput = await hashOutput(encryptedCapture.output);
    const summary = await encryptedCapture.done;

    // Assert
    expect(callsAfterPlain).toBe(0);
    expect(plainOutput.text).toBe('plain\r\n');
    expect(makeKms).toHaveBeenCalledTimes(1);
    expect(encryptedOutput.text).toBe('secret\r\n');
    expect(summary).toMatchObject({ encrypted: true, truncated: false });
    expect((await emulator.waitForSession(encrypted.sessionId)).violations).toEqual([]);
  });

  it('a large encrypted output under faults stays byte-exact', async () => {
    // Arrange
    const session = emulator.createSession({
      generatedOutputBytes: 2 * 1024 * 1024,
      kms: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' },
      targetId: TARGET,
      faults: { seed: 12, reorderWindow: 8, duplicateRate: 0.1, publicationMessages: true },
    });

    // Act
    const capture = openSessionCapture({ session, kms, targetId: TARGET });
    const output = await hashOutput(capture.output);
    const summary = await capture.done;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(report.violations).toEqual([]);
    expect(output.bytes).toBe(2 * 1024 * 1024);
    expect(output.sha256).toBe(report.outputSha256);
    expect(summary.encrypted).toBe(true);
  });

  it('a wrong target id fails the session: KMS context mismatch is reported, never silent', async () => {
    // Arrange
    const session = emulator.createSession({
      command: 'echo never',
      kms: { keyId: 'alias/ecs-exec' },
      targetId: TARGET,
    });

    // Act
    const ssm = new SSMClient({ endpoint: emulator.httpEndpoint, maxAttempts: 1 });
    const capture = openSessionCapture({ session, kms, ssm, targetId: 'ecs:other-cluster_task_runtime' });
    capture.output.resume();
    capture.output.on('error', () => {});

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: expect.stringMatching(/SessionClosedError|SessionInterruptedError/),
    });
    const report = await emulator.waitForSession(session.sessionId);
    expect(report.error).toEqual(expect.any(String));
    ssm.destroy();
  });
});
