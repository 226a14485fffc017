import { randomBytes } from 'node:crypto';
import { open, seal } from './aes-gcm.ts';

/** An AWS-shaped API error: `name` becomes the JSON 1.1 `__type`. */
export class AwsApiError extends Error {
  readonly status: number;
  constructor(name: string, message: string, status = 400) {
    super(message);
    this.name = name;
    this.status = status;
  }
}

const BLOB_MAGIC = Buffer.from('EMUKMS1');
const ACCOUNT = '000000000000';

/** The emulator's KMS: data keys wrapped under a master key that never leaves this process. */
export class LocalKms {
  private readonly masterKey = randomBytes(32);
  private readonly region: string;

  constructor(region = 'eu-west-1') {
    this.region = region;
  }

  /** A key id, alias or ARN as the ARN KMS reports back. */
  keyArn(keyId: string): string {
    if (keyId.startsWith('arn:')) return keyId;
    return `arn:aws:kms:${this.region}:${ACCOUNT}:${keyId.startsWith('alias/') ? keyId : `key/${keyId}`}`;
  }

  /** GenerateDataKey: fresh plaintext plus a blob that only this emulator can Decrypt, bound to the context. */
  generateDataKey(
    keyId: string,
    numberOfBytes: number,
    context: Record<string, string>,
  ): { plaintext: Buffer; ciphertextBlob: Buffer; keyArn: string } {
    const keyArn = this.keyArn(keyId);
    const plaintext = randomBytes(numberOfBytes);
    const arn = Buffer.from(keyArn);
    const header = Buffer.alloc(2);
    header.writeUInt16BE(arn.length);
    const box = seal(this.masterKey, plaintext, aadFor(keyArn, context));
    return { plaintext, ciphertextBlob: Buffer.concat([BLOB_MAGIC, header, arn, box]), keyArn };
  }

  /** Decrypt: the blob must come from this emulator and the context must match exactly. */
  decrypt(
    blob: Buffer,
    context: Record<string, string>,
    keyId?: string,
  ): { plaintext: Buffer; keyArn: string } {
    const invalid = (why: string): never => {
      throw new AwsApiError('InvalidCiphertextException', why);
    };
    if (blob.length < BLOB_MAGIC.length + 2 || !blob.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) {
      invalid('the CiphertextBlob was not produced by this KMS');
    }
    const arnLength = blob.readUInt16BE(BLOB_MAGIC.length);
    const arnStart = BLOB_MAGIC.length + 2;
    const keyArn = blob.subarray(arnStart, arnStart + arnLength).toString();
    if (keyId !== undefined && this.keyArn(keyId) !== keyArn) {
      throw new AwsApiError(
        'IncorrectKeyException',
        `the ciphertext was encrypted under ${keyArn}, not ${keyId}`,
      );
    }
    try {
      return {
        plaintext: open(this.masterKey, blob.subarray(arnStart + arnLength), aadFor(keyArn, context)),
        keyArn,
      };
    } catch {
      return invalid('the ciphertext or its EncryptionContext does not match');
    }
  }
}

/** The context is authenticated, order-independent, together with the key. */
function aadFor(keyArn: string, context: Record<string, string>): Buffer {
  const sorted = Object.keys(context)
    .sort()
    .map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify([keyArn, sorted]));
}
