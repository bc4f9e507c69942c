import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { CiphertextInvalidError, SecretInvalidError } from '../domain/errors';
import type { AccessTokenCipher } from '../domain/ports/access-token-cipher';
import { type Lazy, lazy } from './lazy';
import type { SecretSource } from './secret-sources';

/** Wraps per-Item data keys: KMS in AWS, a local key file in local mode. */
export interface KeyWrapper {
  wrap(dataKey: Buffer, itemId: string): Promise<string>;
  unwrap(wrapped: string, itemId: string): Promise<Buffer>;
}

const VERSION = 'v1';

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, body, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (iv === undefined || body === undefined || tag === undefined)
    throw new CiphertextInvalidError('Malformed ciphertext.');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

/**
 * Envelope encryption of Plaid access tokens: each Item gets its own 256-bit data key; the token
 * is sealed with AES-256-GCM and the item id as associated data (a ciphertext moved to another
 * Item does not open); the data key is wrapped by KMS (or the local key). Unwrapped keys are
 * cached per container, so a poll costs at most one KMS call per Item per cold start.
 *
 * @example
 * const sealed = await cipher.encrypt('access-sandbox-…', itemId);
 */
export class EnvelopeTokenCipher implements AccessTokenCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(private readonly wrapper: KeyWrapper) {}

  async encrypt(accessToken: string, itemId: string): Promise<string> {
    const dataKey = randomBytes(32);
    const wrapped = await this.wrapper.wrap(dataKey, itemId);
    return `${VERSION}:${wrapped}:${seal(dataKey, Buffer.from(accessToken, 'utf8'), itemId)}`;
  }

  async decrypt(ciphertext: string, itemId: string): Promise<string> {
    const [version, wrapped, sealed] = ciphertext.split(':');
    if (version !== VERSION || wrapped === undefined || sealed === undefined)
      throw new CiphertextInvalidError('Unknown token ciphertext.');
    let dataKey = this.keys.get(wrapped);
    if (dataKey === undefined) {
      dataKey = await this.wrapper.unwrap(wrapped, itemId);
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(wrapped, dataKey);
    }
    return open(dataKey, sealed, itemId).toString('utf8');
  }
}

/** Wraps data keys with AWS KMS, the item id as encryption context. */
export class KmsKeyWrapper implements KeyWrapper {
  constructor(
    private readonly keyId: string,
    private readonly kms: Lazy<KMSClient>,
  ) {}

  async wrap(dataKey: Buffer, itemId: string): Promise<string> {
    const { EncryptCommand } = await import('@aws-sdk/client-kms');
    const result = await (await this.kms()).send(
      new EncryptCommand({ KeyId: this.keyId, Plaintext: dataKey, EncryptionContext: { itemId } }),
    );
    return Buffer.from(result.CiphertextBlob ?? new Uint8Array()).toString('base64url');
  }

  async unwrap(wrapped: string, itemId: string): Promise<Buffer> {
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    const result = await (await this.kms()).send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(wrapped, 'base64url'),
        EncryptionContext: { itemId },
      }),
    );
    return Buffer.from(result.Plaintext ?? new Uint8Array());
  }
}

/** Wraps data keys with a 256-bit key from a local file (local mode only, `.data/`). */
export class LocalKeyWrapper implements KeyWrapper {
  private readonly master: Lazy<Buffer>;

  constructor(source: SecretSource) {
    this.master = lazy(async () => {
      const key = Buffer.from(await source.load(), 'base64url');
      if (key.length !== 32)
        throw new SecretInvalidError('The local token key must be 32 bytes (base64url).');
      return key;
    });
  }

  async wrap(dataKey: Buffer, itemId: string): Promise<string> {
    return seal(await this.master(), dataKey, itemId);
  }

  async unwrap(wrapped: string, itemId: string): Promise<Buffer> {
    return open(await this.master(), wrapped, itemId);
  }
}
