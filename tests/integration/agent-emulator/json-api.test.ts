import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SSMClient, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AgentEmulator, startAgentEmulator } from '#local/agent-emulator/index.ts';
import { connectTestClient } from './test-client.ts';

describe('agent-emulator: SSM and KMS JSON APIs through the AWS SDK', () => {
  let emulator: AgentEmulator;
  let kms: KMSClient;
  let ssm: SSMClient;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
    kms = new KMSClient({ endpoint: emulator.httpEndpoint });
    ssm = new SSMClient({ endpoint: emulator.httpEndpoint });
  });
  afterAll(async () => {
    kms.destroy();
    ssm.destroy();
    await emulator.close();
  });

  it('GenerateDataKey returns a key that Decrypt gives back only with the same EncryptionContext', async () => {
    // Arrange
    const context = { 'aws:ssm:SessionId': 's-1', 'aws:ssm:TargetId': 'ecs:c_t_r' };

    // Act
    const generated = await kms.send(
      new GenerateDataKeyCommand({ KeyId: 'alias/diag', NumberOfBytes: 64, EncryptionContext: context }),
    );
    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: context }),
    );
    const wrong = kms.send(
      new DecryptCommand({
        CiphertextBlob: generated.CiphertextBlob,
        EncryptionContext: { ...context, 'aws:ssm:TargetId': 'x' },
      }),
    );

    // Assert
    expect(generated.Plaintext?.length).toBe(64);
    expect(generated.KeyId).toBe('arn:aws:kms:eu-west-1:000000000000:alias/diag');
    expect(Buffer.from(decrypted.Plaintext ?? []).equals(Buffer.from(generated.Plaintext ?? []))).toBe(true);
    await expect(wrong).rejects.toMatchObject({ name: 'InvalidCiphertextException' });
  });

  it('Decrypt refuses a blob it did not make, and GenerateDataKey a request without a size', async () => {
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not ours') })),
    ).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    await expect(kms.send(new GenerateDataKeyCommand({ KeyId: 'k' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('TerminateSession ends a running session with channel_closed and stops the command', async () => {
    // Arrange
    const session = emulator.createSession({ command: `sh -c 'echo started; sleep 30; echo never'` });
    const client = await connectTestClient(session);
    await client.firstOutput;

    // Act
    const response = await ssm.send(new TerminateSessionCommand({ SessionId: session.sessionId }));
    const result = await client.finished;
    const report = await emulator.waitForSession(session.sessionId);

    // Assert
    expect(response.SessionId).toBe(session.sessionId);
    expect(result.channelClosed).toMatchObject({ SessionId: session.sessionId, Output: '' });
    expect(client.delivered().toString()).toBe('started\r\n');
    expect(report).toMatchObject({ state: 'terminated', violations: [] });
  });

  it('answers TerminateSession errors as AWS does (the model defines none but InternalServerError)', async () => {
    const ended = emulator.createSession({ command: 'echo done' });
    const client = await connectTestClient(ended);
    await client.finished;
    await emulator.waitForSession(ended.sessionId);

    // An unknown id succeeds; a session that already ended, an empty or an over-long id are ValidationExceptions.
    await expect(ssm.send(new TerminateSessionCommand({ SessionId: 'nope' }))).resolves.toMatchObject({
      SessionId: 'nope',
    });
    await expect(ssm.send(new TerminateSessionCommand({ SessionId: ended.sessionId }))).rejects.toMatchObject(
      {
        name: 'ValidationException',
        message: 'Session is not in a valid state',
        $metadata: expect.objectContaining({ httpStatusCode: 400 }),
      },
    );
    await expect(ssm.send(new TerminateSessionCommand({ SessionId: '' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(ssm.send(new TerminateSessionCommand({ SessionId: 'x'.repeat(97) }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers unknown operations with an AWS-shaped JSON 1.1 error', async () => {
    const response = await fetch(emulator.httpEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.StartSession' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
