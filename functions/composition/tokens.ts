import { accessTokenVerifier, JoseAccessTokenSigner } from '../adapters/access-tokens';
import { lazy } from '../adapters/lazy';
import {
  FileSigningKeySource,
  publicJwk,
  SecretsManagerSigningKeySource,
  type SigningKeySet,
} from '../adapters/signing-keys';
import { aws } from './aws';
import { currentRuntime, memo } from './runtime';

/**
 * The signing keys, loaded once (Secrets Manager in AWS, a local file in local mode). A failed
 * load is tried again by the next request ({@link lazy}): it must not break the container.
 */
export function signingKeys(): Promise<SigningKeySet> {
  return memo('signingKeys', ({ config }) => {
    const source =
      config.signingKeys.source === 'file'
        ? new FileSigningKeySource(config.signingKeys.path)
        : new SecretsManagerSigningKeySource(config.signingKeys.secretId, aws().secretsManager);
    return lazy(() => source.load());
  })();
}

/** The access-token signer. */
export const accessTokenSigner = () =>
  memo('signer', ({ config }) => new JoseAccessTokenSigner(signingKeys, config.accessTokens));

/** The authorizer's verifier: public keys only, no table; built once the keys are loaded. */
export function accessTokenVerifierUseCase() {
  const { config, clock } = currentRuntime();
  const verifier = lazy(async () => accessTokenVerifier(await signingKeys(), config.accessTokens));
  return async (token: string) => (await verifier())(token, clock.now());
}

/** `GET /.well-known/jwks.json`. */
export async function publicKeys() {
  return { keys: (await signingKeys()).keys.map(publicJwk) };
}
