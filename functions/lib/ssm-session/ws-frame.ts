/**
 * Client-to-server websocket frames (RFC 6455 section 5.2): final binary frames, each with a fresh masking key,
 * written into one buffer so that the frames of one burst go to the socket in one write.
 */
import { randomFillSync } from 'node:crypto';

const FIN_BINARY = 0x82;
const MASKED = 0x80;
/** Masking keys drawn in batches: one randomFillSync per 1024 frames. */
const KEY_POOL = Buffer.alloc(4 * 1024);
let keyOffset = KEY_POOL.length;

/** The bytes of `length` payload bytes as one masked frame: header, extended length, key and payload. */
function maskedFrameLength(length: number): number {
  return 6 + length + (length < 126 ? 0 : length < 0x10000 ? 2 : 8);
}

/**
 * Encodes each payload as one masked, final binary frame, in order, in one buffer (every key comes from the
 * CSPRNG, as section 5.3 requires).
 */
export function maskedBinaryFrames(payloads: readonly Buffer[]): Buffer {
  let bytes = 0;
  for (let i = 0; i < payloads.length; i += 1) bytes += maskedFrameLength((payloads[i] as Buffer).length);
  const frames = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let i = 0; i < payloads.length; i += 1)
    offset = writeMaskedFrame(frames, offset, payloads[i] as Buffer);
  return frames;
}

/** Writes `payload`'s masked frame into `target` at `offset`; returns the offset after it. */
function writeMaskedFrame(target: Buffer, offset: number, payload: Buffer): number {
  const length = payload.length;
  target[offset] = FIN_BINARY;
  let keyAt = offset + 2;
  if (length < 126) target[offset + 1] = MASKED | length;
  else if (length < 0x10000) {
    target[offset + 1] = MASKED | 126;
    target.writeUInt16BE(length, offset + 2);
    keyAt += 2;
  } else {
    target[offset + 1] = MASKED | 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), offset + 2);
    target.writeUInt32BE(length % 2 ** 32, offset + 6);
    keyAt += 8;
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
  target[keyAt] = k0;
  target[keyAt + 1] = k1;
  target[keyAt + 2] = k2;
  target[keyAt + 3] = k3;
  const at = keyAt + 4;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    target[at + i] = (payload[i] as number) ^ k0;
    target[at + i + 1] = (payload[i + 1] as number) ^ k1;
    target[at + i + 2] = (payload[i + 2] as number) ^ k2;
    target[at + i + 3] = (payload[i + 3] as number) ^ k3;
  }
  for (; i < length; i += 1) target[at + i] = (payload[i] as number) ^ (target[keyAt + (i & 3)] as number);
  return at + length;
}
