import { generateSigningKey, type SigningKeySet } from '../../functions/adapters/signing-keys';

/** A key set with one fresh ES256 key, as the local file or the secret would hold. */
export async function testKeySet(): Promise<SigningKeySet> {
  return { keys: [await generateSigningKey(new Date('2026-01-01T00:00:00Z'))] };
}
