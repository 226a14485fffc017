import { MessageType, PayloadType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import {
  collect,
  credentials,
  type FakeAgent,
  type FakeSsm,
  startFakeAgent,
  startFakeSsm,
} from './fake-agent.ts';

describe('ssm-session capture: handshake without KMS', () => {
  let agent: FakeAgent;
  let ssm: FakeSsm;
  beforeAll(async () => {
    agent = await startFakeAgent();
    ssm = await startFakeSsm();
  });
  afterAll(async () => {
    await ssm.close();
    await agent.close();
  });

  it('acks the HandshakeRequest, answers SessionType as success and unknown actions as unsupported (3)', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent) });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    const request = {
      AgentVersion: '3.3.0.0',
      RequestedClientActions: [
        {
          ActionType: 'SessionType',
          ActionParameters: { SessionType: 'InteractiveCommands', Properties: null },
        },
        { ActionType: 'TeleportClient', ActionParameters: { Where: 'moon' } },
      ],
    };

    // Act
    connection.sendOutput(0, JSON.stringify(request), PayloadType.HandshakeRequest);
    const response = await connection.waitFor((m) => m.messageType === MessageType.InputStreamData);
    connection.sendAck(response);
    connection.sendOutput(
      1,
      '{"HandshakeTimeToComplete":1000,"CustomerMessage":""}',
      PayloadType.HandshakeComplete,
    );
    connection.sendOutput(2, 'output');
    await connection.waitFor(() => connection.ackedSequences().length === 3);
    connection.sendChannelClosed();

    // Assert
    expect(response.payloadType).toBe(PayloadType.HandshakeResponse);
    expect(response.sequenceNumber).toBe(0n);
    const content = JSON.parse(response.payload.toString()) as Record<string, unknown>;
    expect(content).toEqual({
      ClientVersion: expect.any(String),
      ProcessedClientActions: [
        { ActionType: 'SessionType', ActionStatus: 1, ActionResult: null, Error: '' },
        { ActionType: 'TeleportClient', ActionStatus: 3, ActionResult: null, Error: expect.any(String) },
      ],
      Errors: null,
    });
    expect(connection.ackedSequences()[0]).toBe(0);
    await expect(output).resolves.toEqual(Buffer.from('output'));
    await expect(capture.done).resolves.toMatchObject({ encrypted: false, messages: 3 });
  });

  it('fails with an error naming targetId when the agent asks for KMS and no target id was given', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent, 'session-no-target'), ssm: ssm.client });
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
    await expect(capture.done).rejects.toMatchObject({ name: 'InvalidRequestError', field: 'targetId' });
    expect(ssm.terminated).toContain('session-no-target');
  });

  it('rejects a malformed HandshakeRequest with a ProtocolError naming the field', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent), ssm: ssm.client });
    capture.output.on('error', () => {});
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    connection.sendOutput(0, '{"AgentVersion":"3"}', PayloadType.HandshakeRequest);

    // Assert
    await expect(capture.done).rejects.toMatchObject({
      name: 'ProtocolError',
      field: 'HandshakeRequest.RequestedClientActions',
    });
  });
});
