import type { JWK } from 'jose';
import { SecretInvalidError } from '../domain/errors';
import { FileSigningKeySource, publicJwk } from './signing-keys';

/** The public keys that verify access tokens, as served at `/.well-known/jwks.json`. */
export interface PublicKeySet {
  keys: JWK[];
}

/**
 * Checks a published JWKS: every key an ES256 (P-256) public key with a `kid`, and none with
 * a private part (a JWKS that held one must not be served or trusted). Messages never quote it.
 */
export function parsePublicJwks(text: string, source: string): PublicKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretInvalidError(`The public keys in ${source} are not JSON.`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new SecretInvalidError(`The public keys in ${source} have no keys.`);
  for (const key of keys as JWK[]) {
    if (typeof key.kid !== 'string' || key.kty !== 'EC' || key.crv !== 'P-256') {
      throw new SecretInvalidError(
        `The public keys in ${source} hold a key that is not an ES256 (P-256) JWK.`,
      );
    }
    if ('d' in key) throw new SecretInvalidError(`The public keys in ${source} hold a private key.`);
  }
  return { keys: keys as JWK[] };
}

/**
 * The public keys from where configuration says: the `PUBLIC_JWKS` environment variable the
 * stack sets from the deploy-time publisher (no SDK client, no network call), or, locally, the
 * public halves of the local key file.
 *
 * @example
 * const keys = await loadPublicKeys(config.publicKeys);
 */
export async function loadPublicKeys(
  setting: { source: 'environment'; jwks: string } | { source: 'file'; path: string },
): Promise<PublicKeySet> {
  if (setting.source === 'environment') return parsePublicJwks(setting.jwks, 'PUBLIC_JWKS');
  const set = await new FileSigningKeySource(setting.path).load();
  return { keys: set.keys.map(publicJwk) };
}
