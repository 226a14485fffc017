import { jest } from '@jest/globals';
import { openSessionCapture } from '#lib/ssm-session/index.ts';
import { channelClosedFrame, collect, type FakeSsm, outputFrame, startFakeSsm } from './fake-agent.ts';
import { binaryFrame, type RudePeer, startRudePeer } from './rude-peer.ts';

/** Far below ws's own 30 s close timeout, far above the client's bound of 2 s on a loaded machine. */
const GRACE_MS = 10_000;
/** Resolves 'closed' if `ended` settles within GRACE_MS, else 'still open'. */
function within(ended: Promise<void>): Promise<'closed' | 'still open'> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<'still open'>((resolve) => {
    timer = setTimeout(() => resolve('still open'), GRACE_MS);
  });
  return Promise.race([ended.then(() => 'closed' as const), wait]).finally(() => clearTimeout(timer));
}

describe('ssm-session capture: a peer that never completes the close handshake', () => {
  let peer: RudePeer;
  let ssm: FakeSsm;
  beforeAll(async () => {
    peer = await startRudePeer();
    ssm = await startFakeSsm();
  });
  afterAll(async () => {
    await ssm.close();
    await peer.close();
  });

  const session = () => ({ sessionId: 'session-rude', streamUrl: peer.url, tokenValue: 'token' });

  it('drops the connection soon after a normal close instead of lingering for ws’s 30 s close timeout', async () => {
    // Arrange
    const capture = openSessionCapture({ session: session(), ssm: ssm.client });
    const output = collect(capture.output);
    const connection = await peer.nextConnection();

    // Act
    connection.socket.write(binaryFrame(outputFrame(0, 'all done')));
    connection.socket.write(binaryFrame(channelClosedFrame()));

    // Assert
    await expect(capture.done).resolves.toMatchObject({ truncated: false, messages: 1 });
    expect((await output).toString()).toBe('all done');
    await expect(within(connection.ended)).resolves.toBe('closed');
  });

  it('drops the connection soon after a truncation closes it', async () => {
    // Arrange
    const controller = new AbortController();
    const capture = openSessionCapture({ session: session(), ssm: ssm.client, signal: controller.signal });
    const output = collect(capture.output);
    const connection = await peer.nextConnection();

    // Act
    controller.abort();

    // Assert
    await expect(capture.done).resolves.toMatchObject({ truncated: true, truncatedReason: 'aborted' });
    await output;
    await expect(within(connection.ended)).resolves.toBe('closed');
  });

  it('makes the SSM client from a function given as `ssm` only when it ends the session early', async () => {
    // Arrange: one clean close, then one abort, each with a function that hands over the fake SSM client.
    const makeSsm = jest.fn(async () => ssm.client);
    const clean = openSessionCapture({ session: session(), ssm: makeSsm });
    const cleanOutput = collect(clean.output);
    const first = await peer.nextConnection();
    first.socket.write(binaryFrame(outputFrame(0, 'done')));
    first.socket.write(binaryFrame(channelClosedFrame()));
    await clean.done;
    await cleanOutput;
    const calledAfterCleanClose = makeSsm.mock.calls.length;
    const controller = new AbortController();
    const aborted = openSessionCapture({
      session: { ...session(), sessionId: 'session-on-demand' },
      ssm: makeSsm,
      signal: controller.signal,
    });
    const abortedOutput = collect(aborted.output);
    await peer.nextConnection();

    // Act
    controller.abort();
    await aborted.done;
    await abortedOutput;

    // Assert
    expect(calledAfterCleanClose).toBe(0);
    expect(makeSsm).toHaveBeenCalledTimes(1);
    expect(ssm.terminated).toContain('session-on-demand');
  });
});
