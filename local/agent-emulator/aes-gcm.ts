import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with no AAD, laid out as the data channel carries it: nonce(12) ‖ ciphertext ‖ tag(16). */
export function seal(key: Buffer, plaintext: Buffer, aad?: Buffer): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  if (aad) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Opens a `seal` box; throws when the key, the AAD or the bytes are wrong. */
export function open(key: Buffer, box: Buffer, aad?: Buffer): Buffer {
  if (box.length < NONCE_BYTES + TAG_BYTES) {
    throw new Error(`ciphertext of ${box.length} bytes is shorter than nonce + tag`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, box.subarray(0, NONCE_BYTES));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(box.subarray(box.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(box.subarray(NONCE_BYTES, box.length - TAG_BYTES)),
    decipher.final(),
  ]);
}
