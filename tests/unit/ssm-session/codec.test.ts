import { decodeAcknowledge, encodeAcknowledge } from '#lib/ssm-session/acknowledge.ts';
import { systemClock } from '#lib/ssm-session/clock.ts';
import {
  decodeMessage,
  encodeMessage,
  Flags,
  MessageType,
  PayloadType,
  safeSequence,
} from '#lib/ssm-session/codec.ts';
import { StreamSequencing } from '#lib/ssm-session/sequencing.ts';
import { uuidFromWire, uuidToWire } from '#lib/ssm-session/wire-uuid.ts';

const SIZE_FRAME =
  '00000074696e7075745f73747265616d5f64617461202020202020202020202020202020000000010000018bcfe56800000000000000000500000000000000008899aabbccddeeff0011223344556677d53ca1ea7dce87c11432052a8550ed2615cf715ca843c89710ed83325b691cba00000003000000157b22636f6c73223a38302c22726f7773223a32347d';
const ACK_FRAME =
  '0000007461636b6e6f776c65646765202020202020202020202020202020202020202020000000010000018bcfe5680000000000000000000000000000000003293a4b5c6d7e8f90a1b2c3d4e5f6071862d57ca2dfb7aa0eee6a8e12491c3e9feffd166f2b0f36b96eba41866669e85400000000000000b07b2241636b6e6f776c65646765644d65737361676554797065223a226f75747075745f73747265616d5f64617461222c2241636b6e6f776c65646765644d6573736167654964223a2230303131323233332d343435352d363637372d383839392d616162626363646465656666222c2241636b6e6f776c65646765644d65737361676553657175656e63654e756d626572223a372c22497353657175656e7469616c4d657373616765223a747275657d';

describe('ssm-session codec', () => {
  it('encodes the size message test vector byte for byte', () => {
    const frame = encodeMessage({
      messageType: MessageType.InputStreamData,
      sequenceNumber: 5n,
      flags: Flags.None,
      payloadType: PayloadType.Size,
      payload: Buffer.from('{"cols":80,"rows":24}'),
      messageId: '00112233-4455-6677-8899-aabbccddeeff',
      createdDate: 1700000000000,
    });
    expect(frame.toString('hex')).toBe(SIZE_FRAME);
  });

  it('encodes the acknowledge test vector byte for byte', () => {
    const frame = encodeAcknowledge(
      {
        messageType: MessageType.OutputStreamData,
        messageId: '00112233-4455-6677-8899-aabbccddeeff',
        sequenceNumber: 7n,
      },
      { messageId: 'a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90', createdDate: 1700000000000 },
    );
    expect(frame.toString('hex')).toBe(ACK_FRAME);
  });

  it.each([
    [
      'a known type and a canonical id (written directly)',
      'output_stream_data',
      '00112233-4455-6677-8899-aabbccddeeff',
    ],
    [
      'an unknown type needing escapes (through JSON.stringify)',
      'odd"type\\',
      '00112233-4455-6677-8899-aabbccddeeff',
    ],
    [
      'an id in upper case (through JSON.stringify)',
      'output_stream_data',
      '00112233-4455-6677-8899-AABBCCDDEEFF',
    ],
  ])('writes an ack payload exactly as JSON.stringify would, for %s', (_case, messageType, messageId) => {
    // Arrange
    const acked = { messageType, messageId, sequenceNumber: 9_007_199_254_740_991n };

    // Act
    const decoded = decodeMessage(encodeAcknowledge(acked));

    // Assert
    expect(decoded.payload.toString('utf8')).toBe(
      JSON.stringify({
        AcknowledgedMessageType: messageType,
        AcknowledgedMessageId: messageId,
        AcknowledgedMessageSequenceNumber: 9_007_199_254_740_991,
        IsSequentialMessage: true,
      }),
    );
  });

  it('acks a received message from its wire bytes exactly as from its decoded fields', () => {
    // Arrange: a received output message (the id is written from the frame's bytes, not from a string).
    const received = decodeMessage(
      encodeMessage({
        messageType: MessageType.OutputStreamData,
        sequenceNumber: 123_456_789n,
        flags: Flags.None,
        payloadType: PayloadType.Output,
        payload: Buffer.from('hello'),
        messageId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      }),
    );
    const fixed = { messageId: 'a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90', createdDate: 1700000000000 };

    // Act
    const fromWire = encodeAcknowledge(received, fixed);
    const fromFields = encodeAcknowledge(
      {
        messageType: received.messageType,
        messageId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
        sequenceNumber: 123_456_789n,
      },
      fixed,
    );

    // Assert
    expect(fromWire.toString('hex')).toBe(fromFields.toString('hex'));
    expect(decodeAcknowledge(decodeMessage(fromWire))).toEqual({
      AcknowledgedMessageType: 'output_stream_data',
      AcknowledgedMessageId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      AcknowledgedMessageSequenceNumber: 123_456_789,
      IsSequentialMessage: true,
    });
  });

  it('decodes the test vectors back to their fields', () => {
    const size = decodeMessage(Buffer.from(SIZE_FRAME, 'hex'));
    expect(size).toMatchObject({
      messageType: 'input_stream_data',
      schemaVersion: 1,
      createdDate: 1700000000000,
      sequenceNumber: 5n,
      flags: 0n,
      messageId: '00112233-4455-6677-8899-aabbccddeeff',
      payloadType: 3,
    });
    expect(size.payload.toString()).toBe('{"cols":80,"rows":24}');
    const ack = decodeMessage(Buffer.from(ACK_FRAME, 'hex'));
    expect(ack).toMatchObject({
      messageType: 'acknowledge',
      flags: 3n,
      messageId: 'a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90',
    });
  });

  it('writes every header byte of a frame with a fresh message id, whatever the pooled memory held', () => {
    // Arrange: dirty the allocation pool that allocUnsafe slices frames from.
    for (let i = 0; i < 64; i += 1) Buffer.allocUnsafe(200).fill(0xa5);
    const message = {
      messageType: MessageType.InputStreamData,
      sequenceNumber: 5n,
      flags: Flags.None,
      payloadType: PayloadType.Size,
      payload: Buffer.from('{"cols":80,"rows":24}'),
      createdDate: 1700000000000,
    };

    // Act
    const frame = encodeMessage(message);
    const decoded = decodeMessage(frame);

    // Assert: the random id is a canonical v4 UUID and re-encoding it by name gives the same bytes.
    expect(decoded.messageId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(encodeMessage({ ...message, messageId: decoded.messageId }).equals(frame)).toBe(true);
    const expected = Buffer.from(SIZE_FRAME, 'hex');
    expect(frame.subarray(0, 64).equals(expected.subarray(0, 64))).toBe(true);
    expect(frame.subarray(80).equals(expected.subarray(80))).toBe(true);
  });

  it('swaps the UUID halves on the wire', () => {
    const wire = uuidToWire('00112233-4455-6677-8899-aabbccddeeff');
    expect(wire.toString('hex')).toBe('8899aabbccddeeff0011223344556677');
    expect(uuidFromWire(wire)).toBe('00112233-4455-6677-8899-aabbccddeeff');
  });

  it('accepts NUL-padded message types', () => {
    const frame = Buffer.from(SIZE_FRAME, 'hex');
    frame.fill(0, 4 + 'input_stream_data'.length, 36);
    expect(decodeMessage(frame).messageType).toBe('input_stream_data');
  });

  it.each([
    ['PayloadDigest', (f: Buffer) => f.writeUInt8(f.readUInt8(130) ^ 1, 130)],
    ['CreatedDate', (f: Buffer) => f.writeBigUInt64BE(0n, 40)],
    ['HeaderLength', (f: Buffer) => f.writeUInt32BE(0, 0)],
    ['MessageType', (f: Buffer) => f.fill(0x20, 4, 36)],
    ['PayloadLength', (f: Buffer) => f.writeUInt32BE(99, 116)],
  ])('rejects a frame with a bad %s, naming the field', (field, corrupt) => {
    const frame = Buffer.from(SIZE_FRAME, 'hex');
    corrupt(frame);
    expect(() => decodeMessage(frame)).toThrow(expect.objectContaining({ name: 'ProtocolError', field }));
  });

  it('quotes a service-provided bad AcknowledgedMessageSequenceNumber in its error (no raw control characters)', () => {
    // Arrange
    const hostile = '\u001b[2J\u001b[31mFAKE: all good\n';
    const frame = encodeMessage({
      messageType: MessageType.Acknowledge,
      sequenceNumber: 0n,
      flags: Flags.Ack,
      payloadType: 0,
      payload: Buffer.from(
        JSON.stringify({
          AcknowledgedMessageType: 'input_stream_data',
          AcknowledgedMessageId: '00112233-4455-6677-8899-aabbccddeeff',
          AcknowledgedMessageSequenceNumber: hostile,
          IsSequentialMessage: true,
        }),
      ),
    });

    // Act
    let error: Error | undefined;
    try {
      decodeAcknowledge(decodeMessage(frame));
    } catch (caught) {
      error = caught as Error;
    }

    // Assert
    expect(error).toMatchObject({ name: 'ProtocolError', field: 'AcknowledgedMessageSequenceNumber' });
    expect(error?.message).not.toContain('\u001b');
    expect(error?.message).not.toContain('\n');
    expect(error?.message).toContain(JSON.stringify(hostile));
  });

  it('rejects a frame shorter than the header', () => {
    expect(() => decodeMessage(Buffer.alloc(50))).toThrow(/shorter than the 120-byte header/);
  });

  it.each([
    [0n, 0],
    [0xffff_ffffn, 0xffff_ffff],
    [0x1_0000_0000n, 0x1_0000_0000],
    [9_007_199_254_740_991n, Number.MAX_SAFE_INTEGER],
    [9_007_199_254_740_992n, -1],
    [-1n, -1],
    [-(2n ** 63n), -1],
  ])(
    'reads SequenceNumber %p as the number %p (-1: not a safe stream sequence)',
    (sequenceNumber, expected) => {
      // Arrange
      const message = {
        messageType: MessageType.OutputStreamData,
        sequenceNumber,
        flags: Flags.None,
        payloadType: PayloadType.Output,
        payload: Buffer.from('x'),
      };

      // Act
      const decoded = decodeMessage(encodeMessage(message));

      // Assert
      expect(safeSequence(decoded)).toBe(expected);
      expect(safeSequence(message)).toBe(expected);
      expect(decoded.sequenceNumber).toBe(sequenceNumber);
    },
  );

  it('refuses an output_stream_data whose SequenceNumber is not a safe integer, naming the field, and acks nothing', () => {
    // Arrange
    const sent: Buffer[] = [];
    const streams = new StreamSequencing({}, systemClock, (frame) => sent.push(frame));
    const beyond = decodeMessage(
      encodeMessage({
        messageType: MessageType.OutputStreamData,
        sequenceNumber: 2n ** 53n,
        flags: Flags.None,
        payloadType: PayloadType.Output,
        payload: Buffer.from('x'),
      }),
    );

    // Act
    const receive = () => streams.receive(beyond, () => {});

    // Assert
    expect(receive).toThrow(
      expect.objectContaining({
        name: 'ProtocolError',
        field: 'SequenceNumber',
        message: expect.stringContaining('9007199254740992 is not a valid stream sequence number'),
      }),
    );
    expect(sent).toEqual([]);
  });
});
