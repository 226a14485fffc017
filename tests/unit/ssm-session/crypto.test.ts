import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { answerChallenge, decrypt, encrypt, kmsParameters } from '#lib/ssm-session/handshake.ts';

function sealWith(key: Buffer, plaintext: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

describe('ssm-session handshake crypto', () => {
  const keys = { decryptKey: randomBytes(32), encryptKey: randomBytes(32) };

  it('decrypts nonce ‖ ciphertext ‖ tag made by an independent AES-256-GCM sealer', () => {
    // Arrange
    const sealed = sealWith(keys.decryptKey, Buffer.from('agent output'));

    // Act / Assert
    expect(decrypt(keys.decryptKey, sealed)).toEqual(Buffer.from('agent output'));
  });

  it('encrypts with a fresh nonce each time, in the same layout', () => {
    // Act
    const first = encrypt(keys.encryptKey, Buffer.from([3]));
    const second = encrypt(keys.encryptKey, Buffer.from([3]));

    // Assert
    expect(first.length).toBe(12 + 1 + 16);
    expect(first.subarray(0, 12).equals(second.subarray(0, 12))).toBe(false);
    expect(decrypt(keys.encryptKey, first)).toEqual(Buffer.from([3]));
  });

  it('answers the challenge: decrypt with bytes 0-31, re-encrypt the same plaintext with bytes 32-63', () => {
    // Arrange
    const challenge = randomBytes(64);
    const request = Buffer.from(
      JSON.stringify({ Challenge: sealWith(keys.decryptKey, challenge).toString('base64') }),
    );

    // Act
    const sessionKeys = {
      decryptKey: createSecretKey(keys.decryptKey),
      encryptKey: createSecretKey(keys.encryptKey),
    };
    const response = JSON.parse(answerChallenge(sessionKeys, request).toString()) as { Challenge: string };

    // Assert
    expect(decrypt(keys.encryptKey, Buffer.from(response.Challenge, 'base64'))).toEqual(challenge);
  });

  it('gives the same results with a KeyObject as with the raw key bytes', () => {
    // Arrange
    const sealed = sealWith(keys.decryptKey, Buffer.from('agent output'));
    const keyObject = createSecretKey(keys.encryptKey);

    // Act
    const viaKeyObject = decrypt(createSecretKey(keys.decryptKey), sealed);
    const resealed = encrypt(keyObject, viaKeyObject);

    // Assert
    expect(viaKeyObject).toEqual(decrypt(keys.decryptKey, sealed));
    expect(decrypt(keys.encryptKey, resealed)).toEqual(Buffer.from('agent output'));
  });

  it('rejects tampered data and wrong keys with a ProtocolError naming the field', () => {
    // Arrange
    const sealed = sealWith(keys.decryptKey, Buffer.from('agent output'));
    sealed[14] = (sealed[14] ?? 0) ^ 1;

    // Act / Assert
    expect(() => decrypt(keys.decryptKey, sealed, 'output_stream_data 4 Payload')).toThrow(
      expect.objectContaining({ name: 'ProtocolError', field: 'output_stream_data 4 Payload' }),
    );
    expect(() => decrypt(keys.decryptKey, Buffer.alloc(10))).toThrow(
      expect.objectContaining({ field: 'Payload' }),
    );
  });

  it('validates the KMSEncryption parameters', () => {
    expect(
      kmsParameters({ ActionType: 'KMSEncryption', ActionParameters: { KMSKeyId: 'k', Challenge: 'Y2g=' } }),
    ).toEqual({ KMSKeyId: 'k', Challenge: 'Y2g=' });
    expect(() => kmsParameters({ ActionType: 'KMSEncryption', ActionParameters: {} })).toThrow(
      expect.objectContaining({ field: 'KMSEncryption.ActionParameters.KMSKeyId' }),
    );
  });
});
