/** Acknowledge messages: the frame we send for each received stream message, and the agent's acks of ours. */
import { ProtocolError } from '../errors.ts';
import {
  type ClientMessage,
  DecodedMessage,
  encodeMessage,
  Flags,
  MESSAGE_ID_OFFSET,
  MessageType,
  PAYLOAD_LENGTH_OFFSET,
  PAYLOAD_OFFSET,
  parseJsonPayload,
  payloadDigestLatin1,
  safeSequence,
  writeUint64,
} from './codec.ts';
import { UUID_PATTERN, uuidToWire, writeRandomUuid, writeUuidText } from './wire-uuid.ts';

/** The JSON payload of an acknowledge message. */
export interface AcknowledgeContent {
  AcknowledgedMessageType: string;
  AcknowledgedMessageId: string;
  AcknowledgedMessageSequenceNumber: number;
  IsSequentialMessage: boolean;
}

/** Message types whose names JSON writes as they are. */
const ACK_TYPES = new Set<string>(Object.values(MessageType));

/**
 * The header every ack shares (type, schema version 1, sequence 0, flags Ack, payload type 0), written by
 * encodeMessage; each ack then writes its own date, id, digest and payload length over it.
 */
const ACK_HEADER = encodeMessage({
  messageType: MessageType.Acknowledge,
  sequenceNumber: 0n,
  flags: Flags.Ack,
  payloadType: 0,
  payload: Buffer.alloc(0),
});
/** The ack JSON around the acked id and sequence number, per known message type. */
const ACK_JSON_HEAD = new Map(
  [...ACK_TYPES].map((type) => [
    type,
    Buffer.from(`{"AcknowledgedMessageType":"${type}","AcknowledgedMessageId":"`, 'latin1'),
  ]),
);
const ACK_JSON_MIDDLE = Buffer.from('","AcknowledgedMessageSequenceNumber":', 'latin1');
const ACK_JSON_TAIL = Buffer.from(',"IsSequentialMessage":true}', 'latin1');
const UUID_TEXT_LENGTH = 36;

/** Builds the acknowledge frame for a received stream message. */
export function encodeAcknowledge(
  acked: Pick<ClientMessage, 'messageType' | 'messageId' | 'sequenceNumber'>,
  options: { messageId?: string; createdDate?: number } = {},
): Buffer {
  const sequence = safeSequence(acked);
  const head = ACK_JSON_HEAD.get(acked.messageType);
  if (head === undefined || (!(acked instanceof DecodedMessage) && !UUID_PATTERN.test(acked.messageId))) {
    const content: AcknowledgeContent = {
      AcknowledgedMessageType: acked.messageType,
      AcknowledgedMessageId: acked.messageId,
      AcknowledgedMessageSequenceNumber: sequence,
      IsSequentialMessage: true,
    };
    return encodeMessage({
      messageType: MessageType.Acknowledge,
      sequenceNumber: 0n,
      flags: Flags.Ack,
      payloadType: 0,
      ...options,
      payload: Buffer.from(JSON.stringify(content)),
    });
  }
  // A known type, a canonical UUID and an integer need no escaping: the JSON is written straight into the frame,
  // byte for byte what JSON.stringify gives (a codec test holds the two together); a received message's id is
  // written from its wire bytes.
  const digits = String(sequence);
  const length =
    head.length + UUID_TEXT_LENGTH + ACK_JSON_MIDDLE.length + digits.length + ACK_JSON_TAIL.length;
  const frame = Buffer.allocUnsafe(PAYLOAD_OFFSET + length);
  ACK_HEADER.copy(frame, 0);
  let at = PAYLOAD_OFFSET + head.copy(frame, PAYLOAD_OFFSET);
  if (acked instanceof DecodedMessage) writeUuidText(acked.frame, MESSAGE_ID_OFFSET, frame, at);
  else frame.write(acked.messageId, at, UUID_TEXT_LENGTH, 'latin1');
  at += UUID_TEXT_LENGTH;
  at += ACK_JSON_MIDDLE.copy(frame, at);
  at += frame.write(digits, at, 'latin1');
  ACK_JSON_TAIL.copy(frame, at);
  writeUint64(frame, options.createdDate ?? Date.now(), 40);
  if (options.messageId === undefined) writeRandomUuid(frame, MESSAGE_ID_OFFSET);
  else uuidToWire(options.messageId, frame, MESSAGE_ID_OFFSET);
  frame.write(payloadDigestLatin1(frame.subarray(PAYLOAD_OFFSET)), 80, 32, 'latin1');
  frame.writeUInt32BE(length, PAYLOAD_LENGTH_OFFSET);
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
