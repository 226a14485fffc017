/**
 * Message ids on the wire: 16 bytes, the canonical UUID's second half first (spec section 2), and the canonical
 * text of those bytes.
 */
import { randomFillSync } from 'node:crypto';
import { ProtocolError } from '../errors.ts';

/** A canonical lowercase UUID. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Writes a canonical UUID string as the wire's 16 bytes: the second half first (spec section 2). */
export function uuidToWire(uuid: string, target: Buffer = Buffer.alloc(16), offset = 0): Buffer {
  const lower = uuid.toLowerCase();
  if (!UUID_PATTERN.test(lower)) throw new ProtocolError('MessageId', `not a UUID: ${JSON.stringify(uuid)}`);
  target.write(lower.slice(19, 23), offset, 2, 'hex');
  target.write(lower.slice(24), offset + 2, 6, 'hex');
  target.write(lower.slice(0, 8), offset + 8, 4, 'hex');
  target.write(lower.slice(9, 13), offset + 12, 2, 'hex');
  target.write(lower.slice(14, 18), offset + 14, 2, 'hex');
  return offset === 0 && target.length === 16 ? target : target.subarray(offset, offset + 16);
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Wire byte ranges in canonical order, each followed by a hyphen but the last. */
const CANONICAL_GROUPS = [
  [8, 12],
  [12, 14],
  [14, 16],
  [0, 2],
  [2, 8],
] as const;
const HYPHEN = 0x2d;

/** Reads the wire's 16 UUID bytes (at `offset`) back into a lowercase hyphenated string. */
export function uuidFromWire(wire: Buffer, offset = 0): string {
  const text = Buffer.allocUnsafe(36);
  writeUuidText(wire, offset, text, 0);
  return text.toString('latin1');
}

/** Writes the canonical text (36 ASCII bytes) of the wire UUID at `wire[offset]` into `target` at `at`. */
export function writeUuidText(wire: Buffer, offset: number, target: Buffer, at: number): void {
  let position = at;
  for (const [from, to] of CANONICAL_GROUPS) {
    if (position !== at) target[position++] = HYPHEN;
    for (let i = from; i < to; i += 1) {
      const byte = wire[offset + i] as number;
      target[position++] = HEX_DIGITS[byte >> 4] as number;
      target[position++] = HEX_DIGITS[byte & 0x0f] as number;
    }
  }
}

/** Random bytes drawn in batches: one randomFillSync per 256 message ids instead of one randomUUID each. */
const RANDOM_POOL = Buffer.alloc(16 * 256);
let randomOffset = RANDOM_POOL.length;

/** Writes a fresh random (version 4) UUID in wire order at `offset`. */
export function writeRandomUuid(target: Buffer, offset: number): void {
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
