import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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
};
