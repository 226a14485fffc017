import { hash, randomFillSync } from 'node:crypto';
import { ProtocolError } from '../errors.ts';

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
const PAYLOAD_LENGTH_OFFSET = 116;
const PAYLOAD_OFFSET = 120;
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

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Writes a canonical UUID string as the wire's 16 bytes: the second half first (spec section 2). */
export function uuidToWire(uuid: string, target: Buffer = Buffer.alloc(16), offset = 0): Buffer {
  const lower = uuid.toLowerCase();
  if (!UUID_PATTERN.test(lower)) throw new ProtocolError('MessageId', `not a UUID: ${JSON.stringify(uuid)}`);
  writeCanonicalUuid(lower, target, offset);
  return offset === 0 && target.length === 16 ? target : target.subarray(offset, offset + 16);
}

/** Writes a validated canonical lowercase UUID string in wire order. */
function writeCanonicalUuid(uuid: string, target: Buffer, offset: number): void {
  target.write(uuid.slice(19, 23), offset, 2, 'hex');
  target.write(uuid.slice(24), offset + 2, 6, 'hex');
  target.write(uuid.slice(0, 8), offset + 8, 4, 'hex');
  target.write(uuid.slice(9, 13), offset + 12, 2, 'hex');
  target.write(uuid.slice(14, 18), offset + 14, 2, 'hex');
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Reads the wire's 16 UUID bytes (at `offset`) back into a lowercase hyphenated string. */
export function uuidFromWire(wire: Buffer, offset = 0): string {
  const hex = (from: number, to: number) => {
    let text = '';
    for (let i = from; i < to; i += 1) text += HEX[wire[offset + i] as number];
    return text;
  };
  return `${hex(8, 12)}-${hex(12, 14)}-${hex(14, 16)}-${hex(0, 2)}-${hex(2, 8)}`;
}

/** Random bytes drawn in batches: one randomFillSync per 256 message ids instead of one randomUUID each. */
const RANDOM_POOL = Buffer.alloc(16 * 256);
let randomOffset = RANDOM_POOL.length;

/** Writes a fresh random (version 4) UUID in wire order at `offset`. */
function writeRandomUuid(target: Buffer, offset: number): void {
  if (randomOffset === RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomOffset = 0;
  }
  RANDOM_POOL.copy(target, offset, randomOffset, randomOffset + 16);
  randomOffset += 16;
  // Canonical byte 6 (the version) is wire byte 14, canonical byte 8 (the variant) is wire byte 0.
  target[offset + 14] = ((target[offset + 14] as number) & 0x0f) | 0x40;
  target[offset] = ((target[offset] as number) & 0x3f) | 0x80;
}

/** SHA-256 of the payload, raw 32 bytes. */
export function payloadDigest(payload: Buffer): Buffer {
  return hash('sha256', payload, 'buffer');
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

/** Writes the 120 header bytes of a frame whose payload is already in place (from PAYLOAD_OFFSET to the end). */
function writeHeader(frame: Buffer, message: Omit<OutgoingMessage, 'payload'>): void {
  const payload = frame.subarray(PAYLOAD_OFFSET);
  frame.writeUInt32BE(HEADER_LENGTH, 0);
  frame.fill(0x20, 4, 4 + MESSAGE_TYPE_LENGTH);
  frame.write(message.messageType, 4, 'ascii');
  frame.writeUInt32BE(message.schemaVersion ?? 1, 36);
  frame.writeBigUInt64BE(BigInt(message.createdDate ?? Date.now()), 40);
  frame.writeBigInt64BE(message.sequenceNumber, 48);
  frame.writeBigUInt64BE(message.flags, 56);
  if (message.messageId === undefined) writeRandomUuid(frame, 64);
  else uuidToWire(message.messageId, frame, 64);
  payloadDigest(payload).copy(frame, 80);
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
  for (const { type, padded } of PADDED_TYPES) {
    if (padded.compare(frame, 4, 4 + MESSAGE_TYPE_LENGTH) === 0) return type;
  }
  return frame
    .subarray(4, 4 + MESSAGE_TYPE_LENGTH)
    .toString('ascii')
    .replaceAll('\0', '')
    .trim();
}

/** Types that skip validation on receive, as the official client does. */
const UNVALIDATED_TYPES = new Set<string>([MessageType.StartPublication, MessageType.PausePublication]);

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
  const messageType = readMessageType(frame);
  const message: ClientMessage = {
    messageType,
    schemaVersion: frame.readUInt32BE(36),
    createdDate: Number(frame.readBigUInt64BE(40)),
    sequenceNumber: frame.readBigInt64BE(48),
    flags: frame.readBigUInt64BE(56),
    messageId: uuidFromWire(frame, 64),
    payloadDigest: frame.subarray(80, 112),
    payloadType: frame.readUInt32BE(112),
    payload: EMPTY,
  };
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
  if (payloadLength !== 0 && payloadDigest(payload).compare(frame, 80, 112) !== 0) {
    throw new ProtocolError('PayloadDigest', 'does not match the SHA-256 of the payload');
  }
  message.payload = payload;
  return message;
}

/** The JSON payload of an acknowledge message. */
export interface AcknowledgeContent {
  AcknowledgedMessageType: string;
  AcknowledgedMessageId: string;
  AcknowledgedMessageSequenceNumber: number;
  IsSequentialMessage: boolean;
}

/** Message types whose names JSON writes as they are. */
const ACK_TYPES = new Set<string>(Object.values(MessageType));

/** Builds the acknowledge frame for a received stream message. */
export function encodeAcknowledge(
  acked: Pick<ClientMessage, 'messageType' | 'messageId' | 'sequenceNumber'>,
  options: { messageId?: string; createdDate?: number } = {},
): Buffer {
  const header = {
    messageType: MessageType.Acknowledge,
    sequenceNumber: 0n,
    flags: Flags.Ack,
    payloadType: 0,
    ...options,
  };
  const sequence = Number(acked.sequenceNumber);
  if (!ACK_TYPES.has(acked.messageType) || !UUID_PATTERN.test(acked.messageId)) {
    const content: AcknowledgeContent = {
      AcknowledgedMessageType: acked.messageType,
      AcknowledgedMessageId: acked.messageId,
      AcknowledgedMessageSequenceNumber: sequence,
      IsSequentialMessage: true,
    };
    return encodeMessage({ ...header, payload: Buffer.from(JSON.stringify(content)) });
  }
  // A known type, a canonical UUID and an integer need no escaping: the JSON is written straight into the frame,
  // byte for byte what JSON.stringify gives (a codec test holds the two together).
  const json = `{"AcknowledgedMessageType":"${acked.messageType}","AcknowledgedMessageId":"${acked.messageId}","AcknowledgedMessageSequenceNumber":${sequence},"IsSequentialMessage":true}`;
  const frame = Buffer.allocUnsafe(PAYLOAD_OFFSET + json.length);
  frame.write(json, PAYLOAD_OFFSET, 'latin1');
  writeHeader(frame, header);
  return frame;
}

/** Parses and validates an acknowledge payload. */
export function decodeAcknowledge(message: ClientMessage): AcknowledgeContent {
  const content = parseJsonPayload(message, 'acknowledge');
  const sequence = content.AcknowledgedMessageSequenceNumber;
  if (typeof sequence !== 'number' || !Number.isInteger(sequence) || sequence < 0) {
    throw new ProtocolError(
      'AcknowledgedMessageSequenceNumber',
      // Peer-provided JSON: quoted (escaped) and bounded before it reaches an error message or a log line.
      `is not a sequence number: ${(JSON.stringify(sequence) ?? String(sequence)).slice(0, 200)}`,
    );
  }
  if (typeof content.AcknowledgedMessageType !== 'string') {
    throw new ProtocolError('AcknowledgedMessageType', 'is missing');
  }
  if (typeof content.AcknowledgedMessageId !== 'string') {
    throw new ProtocolError('AcknowledgedMessageId', 'is missing');
  }
  return content as unknown as AcknowledgeContent;
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
