import { randomBytes } from 'node:crypto';
import { GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { PayloadType } from '#lib/ssm-session/codec.ts';
import { assertAllowedKmsKey } from '#lib/ssm-session/handshake.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import {
  collect,
  credentials,
  type FakeAgent,
  type FakeSsm,
  outputFrame,
  startFakeAgent,
  startFakeSsm,
} from './fake-agent.ts';

const kms = mockClient(KMSClient);

function kmsRequest(keyId: string) {
  return JSON.stringify({
    AgentVersion: '3.3.0.0',
    RequestedClientActions: [{ ActionType: 'KMSEncryption', ActionParameters: { KMSKeyId: keyId } }],
  });
}

describe('ssm-session capture: a hostile or broken agent', () => {
  let agent: FakeAgent;
  let ssm: FakeSsm;
  beforeAll(async () => {
    agent = await startFakeAgent();
    ssm = await startFakeSsm();
  });
  beforeEach(() => {
    kms.reset();
    kms.on(GenerateDataKeyCommand).resolves({
      Plaintext: randomBytes(64),
      CiphertextBlob: Buffer.from('ciphertext'),
    });
  });
  afterAll(async () => {
    await ssm.close();
    await agent.close();
  });

  function open(sessionId: string, extra: Partial<Parameters<typeof openSessionCapture>[0]> = {}) {
    const capture = openSessionCapture({
      session: credentials(agent, sessionId),
      ssm: ssm.client,
      kms: new KMSClient({ region: 'us-east-1' }),
      targetId: 'ecs:cluster_task_runtime',
      ...extra,
    });
    capture.output.on('error', () => {});
    return capture;
  }

  it('fails with a ProtocolError naming the byte bound when held-back messages pass it, and does not ack the one beyond', async () => {
    // Arrange: sequence 0 never comes; 300 KiB messages against a 1 MiB reorder buffer.
    const capture = open('session-reorder-bytes', { reorderBytes: 1024 * 1024 });
    const connection = await agent.nextConnection();
    await connection.token;
    const payload = Buffer.alloc(300 * 1024, 0x61);

    // Act
    for (let sequence = 1; sequence <= 5; sequence += 1) connection.sendOutput(sequence, payload);

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'ProtocolError',
      field: 'SequenceNumber',
      message: expect.stringMatching(/beyond the reorder buffer's 1048576 bytes/),
    });
    expect(connection.ackedSequences()).toEqual([1, 2, 3]);
    expect(ssm.terminated).toContain('session-reorder-bytes');
  });

  it('accepts a valid message in a text frame, as the official plugin does', async () => {
    // Arrange
    const capture = open('session-text-frame');
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act: a binary ClientMessage (not valid UTF-8: the digest and the UUID bytes) sent as a text frame.
    connection.socket.send(outputFrame(0, 'from a text frame\n'), { binary: false });
    await connection.waitFor(() => connection.ackedSequences().length === 1);
    connection.sendChannelClosed();

    // Assert
    await expect(output).resolves.toEqual(Buffer.from('from a text frame\n'));
    await expect(capture.done).resolves.toMatchObject({ messages: 1 });
  });

  it('does one key exchange per session: a second HandshakeRequest is refused and KMS is called once', async () => {
    // Arrange
    const capture = open('session-two-handshakes', { kmsKeyIds: ['alias/exec'] });
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(0, kmsRequest('alias/exec'), PayloadType.HandshakeRequest);
    await connection.waitFor((m) => m.payloadType === PayloadType.HandshakeResponse);
    connection.sendOutput(1, kmsRequest('alias/exec'), PayloadType.HandshakeRequest);

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'ProtocolError',
      field: 'HandshakeRequest',
      message: expect.stringContaining('one key exchange per session'),
    });
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    expect(connection.inputs().filter((m) => m.payloadType === PayloadType.HandshakeResponse)).toHaveLength(
      1,
    );
  });

  it('refuses KMSEncryption asked for twice in one request, before calling KMS', async () => {
    // Arrange
    const capture = open('session-two-kms-actions');
    const connection = await agent.nextConnection();
    await connection.token;
    const action = { ActionType: 'KMSEncryption', ActionParameters: { KMSKeyId: 'alias/exec' } };

    // Act
    connection.sendOutput(
      0,
      JSON.stringify({ AgentVersion: '3', RequestedClientActions: [action, action] }),
      PayloadType.HandshakeRequest,
    );

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'ProtocolError' });
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(0);
  });

  it('refuses a key other than the cluster configured, before calling KMS', async () => {
    // Arrange
    const capture = open('session-foreign-key', { kmsKeyIds: ['alias/exec'] });
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(
      0,
      kmsRequest('arn:aws:kms:eu-west-1:999999999999:key/1234abcd-0000-0000-0000-000000000000'),
      PayloadType.HandshakeRequest,
    );

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'ProtocolError',
      field: 'KMSEncryption.ActionParameters.KMSKeyId',
      message: expect.stringContaining('not the cluster'),
    });
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(0);
    expect(connection.inputs()).toEqual([]);
  });

  it('refuses KMS encryption when the cluster configures no key (an empty list)', async () => {
    // Arrange
    const capture = open('session-no-cluster-key', { kmsKeyIds: [] });
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(0, kmsRequest('alias/exec'), PayloadType.HandshakeRequest);

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      message: expect.stringContaining('configures no ExecuteCommand KMS key'),
    });
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(0);
  });

  it('refuses a handshake request too large to need, or with too many actions, without answering it', async () => {
    // Arrange
    const big = open('session-big-handshake');
    const first = await agent.nextConnection();
    await first.token;
    const many = open('session-many-actions');
    const second = await agent.nextConnection();
    await second.token;
    const actions = Array.from({ length: 1000 }, (_, i) => ({ ActionType: `A${i}`, ActionParameters: null }));

    // Act
    first.sendOutput(
      0,
      JSON.stringify({ AgentVersion: '3', RequestedClientActions: [], Padding: 'x'.repeat(200_000) }),
      PayloadType.HandshakeRequest,
    );
    second.sendOutput(
      0,
      JSON.stringify({ AgentVersion: '3', RequestedClientActions: actions }),
      PayloadType.HandshakeRequest,
    );

    // Assert
    await expect(big.done).rejects.toMatchObject({ name: 'ProtocolError', field: 'HandshakeRequest' });
    await expect(many.done).rejects.toMatchObject({
      name: 'ProtocolError',
      field: 'HandshakeRequest.RequestedClientActions',
    });
    expect(first.inputs()).toEqual([]);
    expect(second.inputs()).toEqual([]);
  });

  it('refuses an oversized encryption challenge instead of echoing it', async () => {
    // Arrange
    const capture = open('session-big-challenge', { kmsKeyIds: ['alias/exec'] });
    const connection = await agent.nextConnection();
    await connection.token;
    connection.sendOutput(0, kmsRequest('alias/exec'), PayloadType.HandshakeRequest);
    await connection.waitFor((m) => m.payloadType === PayloadType.HandshakeResponse);

    // Act
    connection.sendOutput(
      1,
      JSON.stringify({ Challenge: randomBytes(100_000).toString('base64') }),
      PayloadType.EncChallengeRequest,
    );

    // Assert
    await expect(capture.done).rejects.toMatchObject({ name: 'ProtocolError', field: 'EncChallengeRequest' });
    expect(connection.inputs().some((m) => m.payloadType === PayloadType.EncChallengeResponse)).toBe(false);
  });
});

describe('assertAllowedKmsKey', () => {
  const keyArn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it.each([
    ['the same key ARN', keyArn, [keyArn]],
    ['a bare key id for its ARN', '1234abcd-12ab-34cd-56ef-1234567890ab', [keyArn]],
    ['the key ARN for a bare id', keyArn, ['1234abcd-12ab-34cd-56ef-1234567890ab']],
    ['an alias ARN for its alias name', 'arn:aws:kms:eu-west-1:111122223333:alias/exec', ['alias/exec']],
    ['an alias name for its alias ARN', 'alias/exec', ['arn:aws:kms:eu-west-1:111122223333:alias/exec']],
  ])('accepts %s', (_, named, allowed) => {
    expect(() => assertAllowedKmsKey(named, allowed)).not.toThrow();
  });

  it.each([
    ['another key', 'arn:aws:kms:eu-west-1:111122223333:key/ffffffff-0000-0000-0000-000000000000', [keyArn]],
    ['another alias', 'alias/exec-other', ['alias/exec']],
    ['an alias with the key id as its name', 'alias/1234abcd-12ab-34cd-56ef-1234567890ab', [keyArn]],
    ['any key when none is configured', keyArn, []],
  ])('refuses %s', (_, named, allowed) => {
    expect(() => assertAllowedKmsKey(named, allowed)).toThrow(
      expect.objectContaining({ name: 'ProtocolError', field: 'KMSEncryption.ActionParameters.KMSKeyId' }),
    );
  });
});
