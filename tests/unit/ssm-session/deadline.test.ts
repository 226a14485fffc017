import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';
import { MessageType, PayloadType } from '#lib/ssm-session/codec.ts';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { collect, credentials, type FakeAgent, startFakeAgent, testClock } from './fake-agent.ts';

/** A loopback SSM JSON-1.1 endpoint that records TerminateSession calls. */
async function startSsm(): Promise<{ server: Server; client: SSMClient; terminated: string[] }> {
  const terminated: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      if (request.headers['x-amz-target'] === 'AmazonSSM.TerminateSession') {
        const { SessionId } = JSON.parse(body) as { SessionId: string };
        terminated.push(SessionId);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ SessionId }));
        return;
      }
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'UnknownOperationException', message: 'no' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SSMClient({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
  return { server, client, terminated };
}

describe('ssm-session capture: deadline and abort', () => {
  let agent: FakeAgent;
  let ssm: Awaited<ReturnType<typeof startSsm>>;
  beforeAll(async () => {
    agent = await startFakeAgent();
    ssm = await startSsm();
  });
  afterAll(async () => {
    ssm.client.destroy();
    await new Promise((resolve) => ssm.server.close(resolve));
    await agent.close();
  });

  it('at the deadline sends Ctrl-C, calls TerminateSession, closes, and reports truncated with the output kept', async () => {
    // Arrange
    const session = credentials(agent, 'session-deadline-1');
    const { clock, tick } = testClock();
    const deadline = clock.now() + 700;
    const capture = openSessionCapture({ session, ssm: ssm.client, deadline, clock });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act: some output, then the agent goes quiet past the deadline (on the client's clock).
    connection.sendOutput(0, 'before the deadline');
    await connection.waitFor(() => connection.ackedSequences().length === 1);
    tick(699);
    await connection.roundTrip();
    const openBeforeDeadline = connection.socket.readyState === connection.socket.OPEN;
    tick(1);
    const closed = await connection.closed;

    // Assert
    const summary = await capture.done;
    expect(openBeforeDeadline).toBe(true);
    expect(summary).toMatchObject({ truncated: true, truncatedReason: 'deadline', bytes: 19 });
    expect(summary.terminateError).toBeUndefined();
    await expect(output).resolves.toEqual(Buffer.from('before the deadline'));
    const interrupt = connection.inputs().find((m) => m.payloadType === PayloadType.Output);
    expect(interrupt?.payload).toEqual(Buffer.from([0x03]));
    expect(ssm.terminated).toContain('session-deadline-1');
    expect(closed.code).toBe(1000);
  });

  it('on abort does the same and reports the reason "aborted"', async () => {
    // Arrange
    const controller = new AbortController();
    const session = credentials(agent, 'session-abort-1');
    const capture = openSessionCapture({ session, ssm: ssm.client, signal: controller.signal });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;
    connection.sendOutput(0, 'x');
    await connection.waitFor(() => connection.ackedSequences().length === 1);

    // Act
    controller.abort();

    // Assert
    await expect(capture.done).resolves.toMatchObject({
      truncated: true,
      truncatedReason: 'aborted',
      bytes: 1,
    });
    await expect(output).resolves.toEqual(Buffer.from('x'));
    await connection.waitFor(
      (m) => m.messageType === MessageType.InputStreamData && m.payload.equals(Buffer.from([3])),
    );
    expect(ssm.terminated).toContain('session-abort-1');
  });

  it('reports truncation even when TerminateSession fails, with the failure in terminateError', async () => {
    // Arrange
    const broken = new SSMClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const { clock, tick } = testClock();
    const capture = openSessionCapture({
      session: credentials(agent, 'session-deadline-2'),
      ssm: broken,
      deadline: clock.now() + 300,
      clock,
    });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    tick(300);
    const summary = await capture.done;

    // Assert
    expect(summary).toMatchObject({ truncated: true, truncatedReason: 'deadline', bytes: 0 });
    expect(summary.terminateError).toEqual(expect.any(String));
    await expect(output).resolves.toEqual(Buffer.alloc(0));
    broken.destroy();
  });

  it('a deadline further away than a timer can wait (24.8 days) does not truncate the session at once', async () => {
    // Arrange
    const session = credentials(agent, 'session-far-deadline');
    const thirtyDays = 30 * 24 * 3600 * 1000;
    const { clock, tick } = testClock();
    const capture = openSessionCapture({
      session,
      ssm: ssm.client,
      deadline: clock.now() + thirtyDays,
      clock,
    });
    const output = collect(capture.output);
    const connection = await agent.nextConnection();
    await connection.token;

    // Act
    tick(1000);
    await connection.roundTrip();
    connection.sendOutput(0, 'all of it');
    await connection.waitFor(() => connection.ackedSequences().length === 1);
    connection.sendChannelClosed();

    // Assert
    await expect(capture.done).resolves.toMatchObject({ truncated: false, bytes: 9 });
    await expect(output).resolves.toEqual(Buffer.from('all of it'));
    expect(ssm.terminated).not.toContain('session-far-deadline');
  });

  it('with a signal already aborted, never connects and still terminates the session', async () => {
    // Arrange
    const session = credentials(agent, 'session-abort-2');

    // Act
    const capture = openSessionCapture({ session, ssm: ssm.client, signal: AbortSignal.abort() });

    // Assert
    await expect(capture.done).resolves.toMatchObject({
      truncated: true,
      truncatedReason: 'aborted',
      bytes: 0,
    });
    expect(ssm.terminated).toContain('session-abort-2');
  });
});
