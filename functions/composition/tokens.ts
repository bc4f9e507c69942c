import {
  type AccessTokenSubject,
  accessTokenVerifier,
  JoseAccessTokenSigner,
} from '../adapters/access-tokens';
import { lazy } from '../adapters/lazy';
import { dynamoRevocationList, RevocationListCache } from '../adapters/revocation-list';
import {
  FileSigningKeySource,
  publicJwk,
  SecretsManagerSigningKeySource,
  type SigningKeySet,
} from '../adapters/signing-keys';
import { InvalidTokenError } from '../domain/errors';
import { loggableError, logger } from '../http/logger';
import { aws } from './aws';
import { currentRuntime, memo } from './runtime';
import { table } from './table';

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

/**
 * The container's copy of the revocation list: read at most every 15 s (never per request), a
 * failed read logged and tried again while the last copy stays in use.
 */
export const revocationList = () =>
  memo(
    'revocationList',
    ({ config }) =>
      new RevocationListCache(dynamoRevocationList(table(), config.revocationList.entrySeconds), {
        refreshSeconds: config.revocationList.refreshSeconds,
        onReadFailed: (error) =>
          logger.warn('revocation list not read; the last copy stays in use', {
            error: loggableError(error),
          }),
      }),
  );

/**
 * The authorizer's verifier: public keys and the container's copy of the revocation list; built
 * once the keys are loaded. A token of a session on the list is refused like a bad one.
 */
export function accessTokenVerifierUseCase() {
  const { config, clock } = currentRuntime();
  const verifier = lazy(async () => accessTokenVerifier(await signingKeys(), config.accessTokens));
  return async (token: string): Promise<AccessTokenSubject> => {
    const now = clock.now();
    const subject = await (await verifier())(token, now);
    if (await revocationList().isRevoked(subject.sessionId, now)) {
      throw new InvalidTokenError('The access token belongs to a revoked session.');
    }
    return subject;
  };
}

/** `GET /.well-known/jwks.json`. */
export async function publicKeys() {
  return { keys: (await signingKeys()).keys.map(publicJwk) };
}
