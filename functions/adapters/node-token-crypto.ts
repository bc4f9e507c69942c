import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { TokenCrypto } from '../domain/ports/token-crypto';

/**
 * Ids, secrets and secret hashes from `node:crypto`. Refresh secrets have 256 bits of entropy,
 * so a fast SHA-256 is the right hash: there is nothing to brute-force.
 */
export const nodeTokenCrypto: TokenCrypto = {
  newId: (prefix) => `${prefix}_${randomBytes(15).toString('base64url')}`,
  newSecret: () => randomBytes(32).toString('base64url'),
  hashSecret: (secret) => createHash('sha256').update(secret, 'utf8').digest('base64url'),
  sameHash: (a, b) => {
    const left = Buffer.from(a, 'utf8');
    const right = Buffer.from(b, 'utf8');
    return left.length === right.length && timingSafeEqual(left, right);
  },
  tag: (key, message) =>
    createHmac('sha256', key).update(message, 'utf8').digest().subarray(0, 16).toString('base64url'),
  seal: (secret, plaintext, context) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', sealKey(secret), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  },
  open: (secret, box, context) => {
    const bytes = Buffer.from(box, 'base64url');
    if (bytes.length < 29) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', sealKey(secret), bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  },
};

/** The AES key a secret seals with: HMAC of a fixed label, so it is unrelated to the stored hash. */
function sealKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('linkguard/refresh-grace/v1', 'utf8').digest();
}
