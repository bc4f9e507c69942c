import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { SecretInvalidError } from '../domain/errors';
import { FileSecretSource } from './file-secret-source';

/** One ES256 key. The first key of a set signs; every key's public half verifies. */
export interface StoredSigningKey {
  kid: string;
  createdAt: string;
  privateJwk: JWK;
}

/** The document kept in the secret (or the local file): newest key first. */
export interface SigningKeySet {
  keys: StoredSigningKey[];
}

/** Where signing keys come from. */
export interface SigningKeySource {
  load(): Promise<SigningKeySet>;
}

/** The public half of a key, as served at `/.well-known/jwks.json`. */
export function publicJwk(key: StoredSigningKey): JWK {
  const { d: _private, ...rest } = key.privateJwk;
  return { ...rest, kid: key.kid, alg: 'ES256', use: 'sig' };
}

/** A new ES256 key with a time-ordered kid. */
export async function generateSigningKey(now: Date): Promise<StoredSigningKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const kid = `${now.toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`;
  return { kid, createdAt: now.toISOString(), privateJwk: { ...privateJwk, kid, alg: 'ES256' } };
}

/** Checks a loaded document and fails with a message that names the source. */
export function parseSigningKeySet(text: string, source: string): SigningKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretInvalidError(`Signing keys in ${source} are not JSON.`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0)
    throw new SecretInvalidError(`Signing keys in ${source} have no keys.`);
  for (const key of keys as StoredSigningKey[]) {
    if (typeof key.kid !== 'string' || key.privateJwk?.kty !== 'EC' || key.privateJwk.crv !== 'P-256') {
      throw new SecretInvalidError(`Signing keys in ${source} hold a key that is not an ES256 (P-256) JWK.`);
    }
  }
  return { keys: keys as StoredSigningKey[] };
}

/**
 * Signing keys in a local file, generated on first use. Local mode only: the file lives in the
 * git-ignored `.data/` folder.
 */
export class FileSigningKeySource implements SigningKeySource {
  constructor(private readonly path: string) {}

  async load(): Promise<SigningKeySet> {
    const generate = async () =>
      `${JSON.stringify({ keys: [await generateSigningKey(new Date())] }, null, 2)}\n`;
    return parseSigningKeySet(await new FileSecretSource(this.path, generate).load(), this.path);
  }
}
