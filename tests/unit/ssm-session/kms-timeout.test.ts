import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { PayloadType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { credentials, type FakeAgent, type FakeSsm, startFakeAgent, startFakeSsm } from './fake-agent.ts';

describe('ssm-session capture: a KMS endpoint that never answers', () => {
  let agent: FakeAgent;
  let ssm: FakeSsm;
  let kmsServer: Server;
  let kms: KMSClient;
  const requests: IncomingMessage[] = [];
  beforeAll(async () => {
    agent = await startFakeAgent();
    ssm = await startFakeSsm();
    // Reads the request and never answers (a VPC with no route to KMS behaves like this).
    kmsServer = createServer((request) => {
      requests.push(request);
      request.resume();
    });
    await new Promise<void>((resolve) => kmsServer.listen(0, '127.0.0.1', resolve));
    const { port } = kmsServer.address() as AddressInfo;
    kms = new KMSClient({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
  });
  afterAll(async () => {
    kms.destroy();
    kmsServer.closeAllConnections();
    await new Promise((resolve) => kmsServer.close(resolve));
    await ssm.close();
    await agent.close();
  });

  it('gives up GenerateDataKey when the agent would (15 s): a SessionInterruptedError naming it, not a hang', async () => {
    // Arrange
    const session = credentials(agent, 'session-kms-hangs');
    const capture = openSessionCapture({
      session,
      kms,
      ssm: ssm.client,
      targetId: 'ecs:cluster_task_runtime',
    });
    capture.output.on('error', () => {});
    const connection = await agent.nextConnection();
    await connection.token;
    const request = {
      AgentVersion: '3.3.0.0',
      RequestedClientActions: [{ ActionType: 'KMSEncryption', ActionParameters: { KMSKeyId: 'alias/exec' } }],
    };

    // Act
    connection.sendOutput(0, JSON.stringify(request), PayloadType.HandshakeRequest);

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'SessionInterruptedError',
      message: expect.stringContaining('GenerateDataKey'),
    });
    expect(requests.length).toBe(1);
    expect(ssm.terminated).toContain('session-kms-hangs');
  }, 40_000);
});
