import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { DataChannelConnection } from '#lib/ssm-session/connection.ts';
import { maskedBinaryFrames } from '#lib/ssm-session/ws-frame.ts';

interface ParsedFrame {
  fin: boolean;
  opcode: number;
  key: Buffer;
  payload: Buffer;
}

/** Reads client frames back per RFC 6455 section 5.2: each one's header fields and unmasked payload. */
function parseFrames(frames: Buffer): ParsedFrame[] {
  const parsed: ParsedFrame[] = [];
  let at = 0;
  while (at < frames.length) {
    const frame = frames.subarray(at);
    const short = (frame[1] as number) & 0x7f;
    const lengthBytes = short === 126 ? 2 : short === 127 ? 8 : 0;
    const length =
      lengthBytes === 0
        ? short
        : lengthBytes === 2
          ? frame.readUInt16BE(2)
          : Number(frame.readBigUInt64BE(2));
    const key = frame.subarray(2 + lengthBytes, 6 + lengthBytes);
    const masked = frame.subarray(6 + lengthBytes, 6 + lengthBytes + length);
    expect(masked.length).toBe(length);
    expect((frame[1] as number) & 0x80).toBe(0x80);
    const payload = Buffer.from(masked.map((byte, i) => byte ^ (key[i % 4] as number)));
    parsed.push({
      fin: ((frame[0] as number) & 0x80) !== 0,
      opcode: (frame[0] as number) & 0x0f,
      key,
      payload,
    });
    at += 6 + lengthBytes + length;
  }
  return parsed;
}

const payloadOf = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff));

describe('ssm-session websocket frames', () => {
  it.each([0, 1, 3, 4, 5, 125, 126, 127, 65_535, 65_536, 200_003])(
    'encodes a %i-byte payload as one final, masked binary frame with the right length field',
    (length) => {
      // Arrange
      const payload = payloadOf(length);

      // Act
      const frame = maskedBinaryFrames([payload]);

      // Assert
      const parsed = parseFrames(frame);
      expect(parsed).toHaveLength(1);
      expect(parsed[0]).toMatchObject({ fin: true, opcode: 2 });
      expect(parsed[0]?.payload.equals(payload)).toBe(true);
      expect(frame.length).toBe(length + 6 + (length < 126 ? 0 : length < 65_536 ? 2 : 8));
    },
  );

  it('writes several payloads as consecutive frames, in order, each with its own key', () => {
    // Arrange: lengths on both sides of every length-field boundary.
    const payloads = [0, 7, 125, 126, 65_535, 65_536, 3].map(payloadOf);

    // Act
    const frames = maskedBinaryFrames(payloads);

    // Assert
    const parsed = parseFrames(frames);
    expect(parsed.map((frame) => frame.payload.length)).toEqual(payloads.map((payload) => payload.length));
    parsed.forEach((frame, i) => {
      expect(frame).toMatchObject({ fin: true, opcode: 2 });
      expect(frame.payload.equals(payloads[i] as Buffer)).toBe(true);
    });
    expect(new Set(parsed.map((frame) => frame.key.toString('hex'))).size).toBe(payloads.length);
  });

  it('draws a fresh masking key for every frame', () => {
    const keys = new Set(
      parseFrames(maskedBinaryFrames(Array.from({ length: 3000 }, () => payloadOf(8)))).map((frame) =>
        frame.key.toString('hex'),
      ),
    );
    // 3000 random 32-bit keys collide with a probability of about 0.1%; a repeating or fixed key gives a handful.
    expect(keys.size).toBeGreaterThan(2990);
  });

  it('delivers the frames sent in one tick to a ws server in order, byte for byte, before its close', async () => {
    // Arrange: a real ws server records the binary messages and the close code.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await new Promise((resolve) => server.once('listening', resolve));
    const received: Buffer[] = [];
    const closed = new Promise<number>((resolve) => {
      server.on('connection', (socket) => {
        socket.on('message', (data: Buffer, isBinary) => {
          if (isBinary) received.push(data);
        });
        socket.on('close', (code) => resolve(code));
      });
    });
    const sizes = [0, 5, 126, 300, 70_000, 1];
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    const connection = new DataChannelConnection(url, 'token', {
      message: () => {},
      control: () => {},
      error: () => {},
      close: () => {},
    });
    const poll = setInterval(() => {
      if (connection.isOpen) open();
    }, 5);
    await opened;
    clearInterval(poll);

    // Act: every frame in one tick, then a close in the same tick.
    for (const size of sizes) connection.send(payloadOf(size));
    connection.close();

    // Assert
    await expect(closed).resolves.toBe(1000);
    expect(received.map((data) => data.length)).toEqual(sizes);
    received.forEach((data, i) => {
      expect(data.equals(payloadOf(sizes[i] as number))).toBe(true);
    });
    server.close();
  });
});
