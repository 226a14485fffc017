import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import {
  type AgentEmulator,
  type SessionCredentials,
  startAgentEmulator,
} from '#local/agent-emulator/index.ts';
import { connectTestClient } from './test-client.ts';

function openText(tokenValue?: string): string {
  return JSON.stringify({
    MessageSchemaVersion: '1.0',
    RequestId: randomUUID(),
    TokenValue: tokenValue,
    ClientId: randomUUID(),
  });
}

async function rejectionOf(
  url: string,
  first: string | Buffer,
  binary = false,
): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(url);
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(first, { binary });
  return new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
}

describe('agent-emulator: opening the data channel', () => {
  let emulator: AgentEmulator;
  let session: SessionCredentials;
  beforeAll(async () => {
    emulator = await startAgentEmulator();
    session = emulator.createSession({ command: 'echo ok' });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('closes with 1003 when the OpenDataChannelInput has no token', async () => {
    const result = await rejectionOf(session.streamUrl, openText(undefined));
    expect(result).toEqual({ code: 1003, reason: 'request to open data channel does not contain token' });
  });

  it('closes with 1003 on a wrong token, and on a frame that is not JSON', async () => {
    await expect(rejectionOf(session.streamUrl, openText('not-the-token'))).resolves.toEqual({
      code: 1003,
      reason: 'invalid token for this data channel',
    });
    await expect(rejectionOf(session.streamUrl, Buffer.from([1, 2, 3]), true)).resolves.toMatchObject({
      code: 1003,
    });
  });

  it('closes with 1003 for a session id it never created, even with a real token', async () => {
    const url = session.streamUrl.replace(session.sessionId, 'ecs-execute-command-unknown');
    await expect(rejectionOf(url, openText(session.tokenValue))).resolves.toMatchObject({ code: 1003 });
  });

  it('still serves the session after rejected attempts, and refuses a second channel for it', async () => {
    // Act
    const client = await connectTestClient(session);
    const second = await rejectionOf(session.streamUrl, openText(session.tokenValue));
    await client.finished;

    // Assert
    expect(client.delivered().toString()).toBe('ok\r\n');
    expect(second.code).toBe(1003);
    expect(emulator.report(session.sessionId)).toMatchObject({ state: 'closed', violations: [] });
  });

  it('records a malformed but token-bearing OpenDataChannelInput as violations', async () => {
    // Arrange
    const other = emulator.createSession({ command: 'true' });
    const text = JSON.stringify({
      MessageSchemaVersion: '2',
      RequestId: 'short',
      TokenValue: other.tokenValue,
    });

    // Act
    const client = await connectTestClient(other, { openText: text });
    await client.finished;

    // Assert
    expect(emulator.report(other.sessionId).violations).toEqual([
      'MessageSchemaVersion is not "1.0"',
      'RequestId is missing or shorter than 16 characters',
      'ClientId is missing',
    ]);
  });

  it('answers 404 to a websocket on any other path', async () => {
    const ws = new WebSocket(`${emulator.url}/v2/elsewhere`);
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(error.message).toMatch(/404/);
  });
});
