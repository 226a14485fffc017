import { createHash } from 'node:crypto';
import { SSMClient } from '@aws-sdk/client-ssm';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { credentials, type FakeAgent, outputFrame, startFakeAgent } from './fake-agent.ts';

const MESSAGES = 16_000;
const CHUNK = 1024;

function chunk(sequence: number): Buffer {
  return Buffer.alloc(CHUNK, sequence % 251);
}

describe('ssm-session capture: backpressure', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('stops reading (and so acking) while the consumer does not read, then delivers everything once it does', async () => {
    // Arrange
    const capture = openSessionCapture({ session: credentials(agent) });
    const connection = await agent.nextConnection();
    await connection.token;
    const expected = createHash('sha256');
    for (let sequence = 0; sequence < MESSAGES; sequence += 1) {
      expected.update(chunk(sequence));
      connection.sendFrame(outputFrame(sequence, chunk(sequence)));
    }
    connection.sendChannelClosed();

    // Act: nobody reads until the client's output buffer is full (it has stopped reading the socket then).
    const { output: stalled } = capture;
    await connection.waitFor(() => connection.ackedSequences().length > 0);
    while (stalled.readableLength < stalled.readableHighWaterMark) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const ackedWhileStalled = connection.ackedSequences().length;
    const actual = createHash('sha256');
    let bytes = 0;
    for await (const data of capture.output) {
      actual.update(data as Buffer);
      bytes += (data as Buffer).length;
    }

    // Assert
    expect(ackedWhileStalled).toBeGreaterThan(0);
    expect(ackedWhileStalled).toBeLessThan(MESSAGES);
    expect(bytes).toBe(MESSAGES * CHUNK);
    expect(actual.digest('hex')).toBe(expected.digest('hex'));
    await expect(capture.done).resolves.toMatchObject({ messages: MESSAGES, duplicates: 0 });
    await connection.waitFor(() => connection.ackedSequences().length === MESSAGES);
  });
});

describe('ssm-session capture: a consumer that gives up', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('destroying the output ends the session as aborted instead of leaving it paused forever', async () => {
    // Arrange
    // A closed loopback port: TerminateSession fails fast and no request leaves the machine.
    const ssm = new SSMClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const capture = openSessionCapture({ session: credentials(agent), ssm });
    const connection = await agent.nextConnection();
    await connection.token;
    connection.sendOutput(0, 'some output');
    await connection.waitFor(() => connection.ackedSequences().length === 1);

    // Act
    capture.output.destroy();

    // Assert
    await expect(capture.done).resolves.toMatchObject({ truncated: true, truncatedReason: 'aborted' });
    await expect(connection.closed).resolves.toEqual({ code: 1000 });
    ssm.destroy();
  });
});
