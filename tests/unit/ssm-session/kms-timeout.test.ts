import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient } from '@aws-sdk/client-kms';
import { PayloadType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import {
  credentials,
  type FakeAgent,
  type FakeSsm,
  startFakeAgent,
  startFakeSsm,
  testClock,
} from './fake-agent.ts';

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
    const { clock, tick } = testClock();
    const capture = openSessionCapture({
      clock,
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

    // Act: the request reaches KMS, which never answers; 15 s pass on the client's clock.
    connection.sendOutput(0, JSON.stringify(request), PayloadType.HandshakeRequest);
    while (requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    tick(14_999);
    const settledEarly = await Promise.race([
      capture.done.then(
        () => true,
        () => true,
      ),
      new Promise((resolve) => setImmediate(() => resolve(false))),
    ]);
    tick(1);

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'SessionInterruptedError',
      message: expect.stringContaining('GenerateDataKey'),
    });
    expect(settledEarly).toBe(false);
    expect(requests.length).toBe(1);
    expect(ssm.terminated).toContain('session-kms-hangs');
  });
});
