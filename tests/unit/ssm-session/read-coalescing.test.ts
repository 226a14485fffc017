import { encodeAcknowledge } from '#lib/ssm-session/acknowledge.ts';
import { decodeMessage } from '#lib/ssm-session/codec.ts';
import { DataChannelConnection } from '#lib/ssm-session/connection.ts';
import { type FakeAgent, type FakeConnection, outputFrame, startFakeAgent } from './fake-agent.ts';

const KIB = Buffer.alloc(1024, 0x61);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A connection that acks every frame it receives, as the capture does, and keeps what it received. */
async function connect(agent: FakeAgent) {
  const received: Buffer[] = [];
  const connection: DataChannelConnection = new DataChannelConnection(agent.url, 'token', {
    message: (data) => {
      received.push(data);
      connection.send(encodeAcknowledge(decodeMessage(data)));
    },
    control: () => {},
    error: (error) => {
      throw error;
    },
    close: () => {},
  });
  const peer = await agent.nextConnection();
  await peer.token;
  return { connection, peer, received };
}

/** Sends `count` output messages from `first` on, all at once. */
function burst(peer: FakeConnection, first: number, count: number, payload = KIB): void {
  for (let sequence = first; sequence < first + count; sequence += 1) {
    peer.sendFrame(outputFrame(sequence, payload));
  }
}

/**
 * Waits until `received` holds `count` frames, then for the turn that handled them to end. (A burst may arrive in
 * more than one socket read; a turn that brought 4 frames or more, 4.4 KiB, was a fast one.)
 */
async function handled(received: Buffer[], count: number): Promise<void> {
  while (received.length < count) await nextTurn();
  await nextTurn();
}

/** A connection right after a fast turn: 16 frames sent at once, the turn that brought 4 or more of them handled. */
async function afterBurst(agent: FakeAgent) {
  const opened = await connect(agent);
  burst(opened.peer, 0, 16);
  await handled(opened.received, 4);
  return opened;
}

describe('ssm-session connection: reads coalesced while the stream flows fast', () => {
  let agent: FakeAgent;
  beforeAll(async () => {
    agent = await startFakeAgent();
  });
  afterAll(async () => {
    await agent.close();
  });

  it('pauses reading briefly after a turn that brought a burst, then reads on by itself', async () => {
    // Arrange
    const { connection, peer, received } = await afterBurst(agent);

    // Act
    const pausedAfterBurst = connection.isCoalescing;
    burst(peer, 16, 1);
    await handled(received, 17);

    // Assert
    expect(pausedAfterBurst).toBe(true);
    expect(connection.isPaused).toBe(false);
    await peer.waitFor(() => peer.ackedSequences().length === 17);
    expect(peer.ackedSequences()).toEqual(Array.from({ length: 17 }, (_, sequence) => sequence));
    connection.close();
    await peer.closed;
  });

  it('does not pause after a turn that brought only a trickle', async () => {
    // Arrange
    const { connection, peer, received } = await connect(agent);

    // Act
    peer.sendOutput(0, 'a line of output\n');
    await handled(received, 1);

    // Assert
    expect(connection.isCoalescing).toBe(false);
    connection.close();
    await peer.closed;
  });

  it('a pause by the owner (backpressure) outlasts the brief pause, and only resume reads again', async () => {
    // Arrange
    const { connection, peer, received } = await afterBurst(agent);
    expect(connection.isCoalescing).toBe(true);

    // Act: held through the brief pause (5 ms) many times over, with frames waiting on the socket.
    connection.pause();
    const readWhenHeld = received.length;
    await sleep(50);
    burst(peer, 16, 4);
    await sleep(50);
    const readWhileHeld = received.length;
    connection.resume();
    await handled(received, 20);

    // Assert
    expect(readWhenHeld).toBeLessThan(20);
    expect(readWhileHeld).toBe(readWhenHeld);
    expect(connection.isPaused).toBe(false);
    await peer.waitFor(() => peer.ackedSequences().length === 20);
    connection.close();
    await peer.closed;
  });

  it('close during the brief pause still reads the peer close frame and ends at once', async () => {
    // Arrange
    const { connection, peer } = await afterBurst(agent);
    expect(connection.isCoalescing).toBe(true);

    // Act
    connection.close();

    // Assert
    expect(connection.isCoalescing).toBe(false);
    await expect(peer.closed).resolves.toEqual({ code: 1000 });
  });
});
