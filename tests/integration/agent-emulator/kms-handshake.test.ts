import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PayloadType } from '#lib/ssm-session/codec.ts';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { connectTestClient } from './test-client.ts';

const KEY_ID = 'arn:aws:kms:eu-west-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TARGET_ID =
  'ecs:diag-cluster_0123456789abcdef0123456789abcdef_0123456789abcdef0123456789abcdef-1111111111';

describe('agent-emulator: KMS handshake and encrypted output', () => {
  let emulator: AgentEmulator;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('runs HandshakeRequest → Response → EncChallenge → Complete, then encrypts output both ways', async () => {
    // Arrange
    const session = emulator.createSession({
      command: `sh -c 'echo secret-output; read x; echo "typed $x"'`,
      kms: { keyId: KEY_ID },
      targetId: TARGET_ID,
    });

    // Act
    const client = await connectTestClient(session, {
      kms: { endpoint: emulator.httpEndpoint, targetId: TARGET_ID },
    });
    await client.firstOutput;
    await client.sendInput(PayloadType.Output, Buffer.from('hidden\r'));
    const result = await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    const stream = client.arrivals.filter((a) => a.messageType === 'output_stream_data');
    expect(stream.slice(0, 3).map((a) => [a.seq, a.payloadType])).toEqual([
      [0, PayloadType.HandshakeRequest],
      [1, PayloadType.EncChallengeRequest],
      [2, PayloadType.HandshakeComplete],
    ]);
    const request = JSON.parse(stream[0]?.wirePayload.toString() ?? '{}');
    expect(request.RequestedClientActions[1]).toMatchObject({
      ActionType: 'KMSEncryption',
      ActionParameters: { KMSKeyId: KEY_ID },
    });
    expect(Buffer.from(request.RequestedClientActions[1].ActionParameters.Challenge, 'base64').length).toBe(
      16,
    );
    expect(JSON.parse(stream[2]?.wirePayload.toString() ?? '{}').CustomerMessage).toBe(
      'This session is encrypted using AWS KMS.',
    );
    const wire = Buffer.concat(
      stream.filter((a) => a.payloadType === PayloadType.Output).map((a) => a.wirePayload),
    );
    expect(wire.includes('secret-output')).toBe(false);
    expect(client.delivered().toString()).toBe('secret-output\r\nhidden\r\ntyped hidden\r\n');
    expect(result.channelClosed?.Output).toBe('');
    expect(report).toMatchObject({ state: 'closed', violations: [] });
  });

  it('fails the handshake and reports a violation when the EncryptionContext is wrong', async () => {
    // Arrange
    const session = emulator.createSession({
      command: 'echo never',
      kms: { keyId: KEY_ID },
      targetId: TARGET_ID,
    });

    // Act
    const client = await connectTestClient(session, {
      kms: {
        endpoint: emulator.httpEndpoint,
        targetId: TARGET_ID,
        contextOverride: {
          'aws:ssm:SessionId': session.sessionId,
          'aws:ssm:TargetId': 'ecs:wrong_target_id',
        },
      },
    });
    const result = await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(client.delivered().length).toBe(0);
    expect(result.channelClosed?.Output).toMatch(/^Encountered error while initiating handshake/);
    expect(report.error).toMatch(/KMSCipherTextKey does not decrypt/);
    expect(report.violations).toEqual([
      expect.stringMatching(/^input seq 0: HandshakeResponse KMSCipherTextKey does not decrypt/),
    ]);
  });

  it('ends the session with an error when the client declines KMSEncryption, like the agent', async () => {
    // Arrange
    const session = emulator.createSession({
      command: 'echo never',
      kms: { keyId: KEY_ID },
      targetId: TARGET_ID,
    });

    // Act
    const client = await connectTestClient(session, {
      kms: { endpoint: emulator.httpEndpoint, targetId: TARGET_ID, decline: true },
    });
    const result = await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(result.channelClosed?.Output).toMatch(
      'ActionStatus 2 for "KMSEncryption": "declined by the test"',
    );
    expect(report).toMatchObject({ state: 'closed', outputBytes: 0 });
  });

  it('requires the TargetId to check the EncryptionContext against', () => {
    expect(() => emulator.createSession({ command: 'true', kms: { keyId: KEY_ID } })).toThrow(/^targetId: /);
  });
});
