import { hash } from 'node:crypto';
import { ProtocolError } from '../errors.ts';
import { uuidFromWire, uuidToWire, writeRandomUuid } from './wire-uuid.ts';

/** Message types of the Session Manager data channel (spec section 3). */
export const MessageType = {
  InputStreamData: 'input_stream_data',
  OutputStreamData: 'output_stream_data',
  Acknowledge: 'acknowledge',
  ChannelClosed: 'channel_closed',
  StartPublication: 'start_publication',
  PausePublication: 'pause_publication',
} as const;

/** Payload types of stream messages (spec section 3). */
export const PayloadType = {
  Output: 1,
  Error: 2,
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const;

/** Flag bits (spec section 4). */
export const Flags = { None: 0n, Syn: 1n, Fin: 2n, Ack: 3n } as const;

/** The fixed header length the sender writes (the offset of PayloadLength). */
export const HEADER_LENGTH = 116;
/** Where the 4-byte PayloadLength sits. */
export const PAYLOAD_LENGTH_OFFSET = 116;
/** Where the payload begins (after the header and the PayloadLength field). */
export const PAYLOAD_OFFSET = 120;
/** Where the 16 wire bytes of MessageId sit. */
export const MESSAGE_ID_OFFSET = 64;
/** The MessageType field's length (space-padded). */
const MESSAGE_TYPE_LENGTH = 32;

/** One ClientMessage, decoded. */
export interface ClientMessage {
  messageType: string;
  schemaVersion: number;
  createdDate: number;
  sequenceNumber: bigint;
  flags: bigint;
  messageId: string;
  payloadDigest: Buffer;
  payloadType: number;
  payload: Buffer;
}

/** What a sender supplies; the digest, length and header length are computed. */
export interface OutgoingMessage {
  messageType: string;
  sequenceNumber: bigint;
  flags: bigint;
  payloadType: number;
  payload: Buffer;
  messageId?: string;
  createdDate?: number;
  schemaVersion?: number;
}

/**
 * SHA-256 of the payload as a 32-character latin1 string (one char per byte): on Node 24 a one-shot digest into a
 * string costs about half of one into a new Buffer, whose backing store is allocated and freed per call.
 */
export function payloadDigestLatin1(payload: Uint8Array): string {
  return hash('sha256', payload, 'binary');
}

/** Whether the 32 digest bytes at `offset` in `frame` are `digest` (a latin1 string from payloadDigestLatin1). */
function digestAt(frame: Buffer, offset: number, digest: string): boolean {
  for (let i = 0; i < 32; i += 1) {
    if (frame[offset + i] !== digest.charCodeAt(i)) return false;
  }
  return true;
}

/** Encodes one ClientMessage into the bytes of a binary websocket frame. */
export function encodeMessage(message: OutgoingMessage): Buffer {
  if (Buffer.byteLength(message.messageType, 'ascii') > MESSAGE_TYPE_LENGTH) {
    throw new ProtocolError(
      'MessageType',
      `longer than ${MESSAGE_TYPE_LENGTH} bytes: ${message.messageType}`,
    );
  }
  // Every byte is written below, so the frame needs no zero-filling.
  const frame = Buffer.allocUnsafe(PAYLOAD_OFFSET + message.payload.length);
  message.payload.copy(frame, PAYLOAD_OFFSET);
  writeHeader(frame, message);
  return frame;
}

/** Writes a non-negative safe integer as 8 big-endian bytes (a millisecond date needs no BigInt). */
export function writeUint64(frame: Buffer, value: number, offset: number): void {
  frame.writeUInt32BE(Math.floor(value / 2 ** 32), offset);
  frame.writeUInt32BE(value % 2 ** 32, offset + 4);
}

/** Writes the 120 header bytes of a frame whose payload is already in place (from PAYLOAD_OFFSET to the end). */
function writeHeader(frame: Buffer, message: Omit<OutgoingMessage, 'payload'>): void {
  const payload = frame.subarray(PAYLOAD_OFFSET);
  frame.writeUInt32BE(HEADER_LENGTH, 0);
  frame.fill(0x20, 4, 4 + MESSAGE_TYPE_LENGTH);
  frame.write(message.messageType, 4, 'ascii');
  frame.writeUInt32BE(message.schemaVersion ?? 1, 36);
  writeUint64(frame, message.createdDate ?? Date.now(), 40);
  frame.writeBigInt64BE(message.sequenceNumber, 48);
  frame.writeBigUInt64BE(message.flags, 56);
  if (message.messageId === undefined) writeRandomUuid(frame, MESSAGE_ID_OFFSET);
  else uuidToWire(message.messageId, frame, MESSAGE_ID_OFFSET);
  frame.write(payloadDigestLatin1(payload), 80, 32, 'latin1');
  frame.writeUInt32BE(message.payloadType, 112);
  frame.writeUInt32BE(payload.length, PAYLOAD_LENGTH_OFFSET);
}

/** The known message types as they sit in a frame (space-padded), to name a type without decoding text. */
const PADDED_TYPES = Object.values(MessageType).map((type) => ({
  type,
  padded: Buffer.from(type.padEnd(MESSAGE_TYPE_LENGTH, ' '), 'ascii'),
}));
const EMPTY = Buffer.alloc(0);

/** The frame's MessageType: a known space-padded type by comparison, anything else decoded and stripped. */
function readMessageType(frame: Buffer): string {
  const first = frame[4];
  for (let i = 0; i < PADDED_TYPES.length; i += 1) {
    const { type, padded } = PADDED_TYPES[i] as { type: string; padded: Buffer };
    if (padded[0] === first && paddedTypeAt(frame, padded)) return type;
  }
  return frame
    .subarray(4, 4 + MESSAGE_TYPE_LENGTH)
    .toString('ascii')
    .replaceAll('\0', '')
    .trim();
}

/** Whether the frame's 32 MessageType bytes are `padded` (a loop: cheaper than a native compare for 32 bytes). */
function paddedTypeAt(frame: Buffer, padded: Buffer): boolean {
  for (let i = 1; i < MESSAGE_TYPE_LENGTH; i += 1) {
    if (frame[4 + i] !== padded[i]) return false;
  }
  return true;
}

/** The high 32 bits of Number.MAX_SAFE_INTEGER (2 ** 53 - 1). */
const MAX_SAFE_HIGH = 0x1fffff;

/**
 * A message's SequenceNumber as a number, or -1 when it is negative or above Number.MAX_SAFE_INTEGER (a received
 * message's is read from its frame without a BigInt).
 */
export function safeSequence(message: Pick<ClientMessage, 'sequenceNumber'>): number {
  if (message instanceof DecodedMessage) return message.sequence;
  const sequence = message.sequenceNumber;
  return sequence >= 0n && sequence <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(sequence) : -1;
}

/** Types that skip validation on receive, as the official client does. */
const UNVALIDATED_TYPES = new Set<string>([MessageType.StartPublication, MessageType.PausePublication]);

/**
 * A received frame's fields. The message id and flags, which only an ack or a test reads, are read from the frame
 * on access (the ack is written from the id's wire bytes, see encodeAcknowledge).
 */
export class DecodedMessage implements ClientMessage {
  readonly frame: Buffer;
  readonly messageType: string;
  readonly schemaVersion: number;
  readonly createdDate: number;
  /** The SequenceNumber as a number, or -1 when it is negative or above Number.MAX_SAFE_INTEGER. */
  readonly sequence: number;
  readonly payloadType: number;
  payload: Buffer = EMPTY;
  private id: string | undefined;

  constructor(frame: Buffer, messageType: string) {
    this.frame = frame;
    this.messageType = messageType;
    this.schemaVersion = frame.readUInt32BE(36);
    this.createdDate = frame.readUInt32BE(40) * 2 ** 32 + frame.readUInt32BE(44);
    const high = frame.readInt32BE(48);
    this.sequence = high >= 0 && high <= MAX_SAFE_HIGH ? high * 2 ** 32 + frame.readUInt32BE(52) : -1;
    this.payloadType = frame.readUInt32BE(112);
  }

  get sequenceNumber(): bigint {
    return this.frame.readBigInt64BE(48);
  }

  get messageId(): string {
    this.id ??= uuidFromWire(this.frame, MESSAGE_ID_OFFSET);
    return this.id;
  }

  get flags(): bigint {
    return this.frame.readBigUInt64BE(56);
  }

  get payloadDigest(): Buffer {
    return this.frame.subarray(80, 112);
  }
}

/**
 * Decodes one frame and validates it strictly (header length, type, date, payload length and digest);
 * a violation throws a ProtocolError naming the field.
 */
export function decodeMessage(frame: Buffer): ClientMessage {
  if (frame.length < PAYLOAD_OFFSET) {
    throw new ProtocolError(
      'frame',
      `${frame.length} bytes is shorter than the ${PAYLOAD_OFFSET}-byte header`,
    );
  }
  const headerLength = frame.readUInt32BE(0);
  const message = new DecodedMessage(frame, readMessageType(frame));
  const { messageType } = message;
  const payloadLength = frame.readUInt32BE(PAYLOAD_LENGTH_OFFSET);
  if (UNVALIDATED_TYPES.has(messageType)) return message;
  if (headerLength === 0) throw new ProtocolError('HeaderLength', 'is 0');
  if (headerLength + 4 > frame.length) {
    throw new ProtocolError(
      'HeaderLength',
      `${headerLength} points past the end of a ${frame.length}-byte frame`,
    );
  }
  if (messageType === '') throw new ProtocolError('MessageType', 'is empty');
  if (message.createdDate === 0) throw new ProtocolError('CreatedDate', 'is 0');
  const payload = frame.subarray(headerLength + 4);
  if (payload.length !== payloadLength) {
    throw new ProtocolError(
      'PayloadLength',
      `says ${payloadLength} bytes but the frame carries ${payload.length}`,
    );
  }
  if (payloadLength !== 0 && !digestAt(frame, 80, payloadDigestLatin1(payload))) {
    throw new ProtocolError('PayloadDigest', 'does not match the SHA-256 of the payload');
  }
  message.payload = payload;
  return message;
}

/** Parses a message's payload as a JSON object, naming the message type on failure. */
export function parseJsonPayload(message: ClientMessage, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.payload.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(`${what} payload`, 'is not valid JSON', { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ProtocolError(`${what} payload`, 'is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}
