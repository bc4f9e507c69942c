import { JoseAccessTokenSigner } from '../adapters/access-tokens';
import { lazy } from '../adapters/lazy';
import { SecretsManagerSigningKeySource } from '../adapters/secrets-manager-signing-keys';
import { FileSigningKeySource, type SigningKeySet } from '../adapters/signing-keys';
import { aws } from './aws';
import { memo } from './runtime';

export { accessTokenVerifierUseCase, publicKeys, revocationList } from './access-token-verification';

/**
 * The private signing keys, loaded once (Secrets Manager in AWS, a local file in local mode),
 * for the token issuers only. A failed load is tried again by the next request ({@link lazy}):
 * it must not break the container.
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
