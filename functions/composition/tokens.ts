import { accessTokenVerifier, JoseAccessTokenSigner } from '../adapters/access-tokens';
import {
  FileSigningKeySource,
  publicJwk,
  SecretsManagerSigningKeySource,
  type SigningKeySet,
} from '../adapters/signing-keys';
import { currentRuntime, memo } from './runtime';

/** The signing keys, loaded once (Secrets Manager in AWS, a local file in local mode). */
export function signingKeys(): Promise<SigningKeySet> {
  const loaded = memo('signingKeys', ({ config }) => {
    const source =
      config.signingKeys.source === 'file'
        ? new FileSigningKeySource(config.signingKeys.path)
        : new SecretsManagerSigningKeySource(config.signingKeys.secretId, config.region);
    return source.load();
  });
  // A failed load must not poison the cache for the life of the container.
  loaded.catch(() => currentRuntime().built.delete('signingKeys'));
  return loaded;
}

/** The access-token signer. */
export const accessTokenSigner = () =>
  memo('signer', ({ config }) => new JoseAccessTokenSigner(signingKeys(), config.accessTokens));

/** The authorizer's verifier: public keys only, no table. */
export async function accessTokenVerifierUseCase() {
  const { config, clock } = currentRuntime();
  const verify = accessTokenVerifier(await signingKeys(), config.accessTokens);
  return (token: string) => verify(token, clock.now());
}

/** `GET /.well-known/jwks.json`. */
export async function publicKeys() {
  return { keys: (await signingKeys()).keys.map(publicJwk) };
}
