/**
 * Client-to-server websocket frames (RFC 6455 section 5.2): a final binary frame with a fresh masking key, built
 * whole so that the frames of one burst go to the socket in one write.
 */
import { randomFillSync } from 'node:crypto';

const FIN_BINARY = 0x82;
const MASKED = 0x80;
/** Masking keys drawn in batches: one randomFillSync per 1024 frames. */
const KEY_POOL = Buffer.alloc(4 * 1024);
let keyOffset = KEY_POOL.length;

/** Encodes `payload` as one masked, final binary frame (the key comes from the CSPRNG, as section 5.3 requires). */
export function maskedBinaryFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const keyAt = 2 + lengthBytes;
  const frame = Buffer.allocUnsafe(keyAt + 4 + length);
  frame[0] = FIN_BINARY;
  if (lengthBytes === 0) frame[1] = MASKED | length;
  else if (lengthBytes === 2) {
    frame[1] = MASKED | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = MASKED | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length % 2 ** 32, 6);
  }
  if (keyOffset === KEY_POOL.length) {
    randomFillSync(KEY_POOL);
    keyOffset = 0;
  }
  const k0 = KEY_POOL[keyOffset] as number;
  const k1 = KEY_POOL[keyOffset + 1] as number;
  const k2 = KEY_POOL[keyOffset + 2] as number;
  const k3 = KEY_POOL[keyOffset + 3] as number;
  keyOffset += 4;
  frame[keyAt] = k0;
  frame[keyAt + 1] = k1;
  frame[keyAt + 2] = k2;
  frame[keyAt + 3] = k3;
  const at = keyAt + 4;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    frame[at + i] = (payload[i] as number) ^ k0;
    frame[at + i + 1] = (payload[i + 1] as number) ^ k1;
    frame[at + i + 2] = (payload[i + 2] as number) ^ k2;
    frame[at + i + 3] = (payload[i + 3] as number) ^ k3;
  }
  for (; i < length; i += 1) frame[at + i] = (payload[i] as number) ^ (frame[keyAt + (i & 3)] as number);
  return frame;
}
