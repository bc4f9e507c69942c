import { type AccessTokenSubject, accessTokenVerifier } from '../adapters/access-tokens';
import { lazy } from '../adapters/lazy';
import { loadPublicKeys, type PublicKeySet } from '../adapters/public-keys';
import { dynamoRevocationList, RevocationListCache } from '../adapters/revocation-list';
import { InvalidTokenError } from '../domain/errors';
import { loggableError, logger } from '../http/logger';
import { currentRuntime, memo } from './runtime';
import { table } from './table';

/**
 * The public keys, loaded once: from `PUBLIC_JWKS` in AWS (no SDK client, no network), from the
 * local key file's public halves in local mode. What the authorizer and the JWKS route use: they
 * never see a private key.
 */
export function publicKeys(): Promise<PublicKeySet> {
  return memo('publicKeys', ({ config }) => lazy(() => loadPublicKeys(config.publicKeys)))();
}

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
  const verifier = lazy(async () => accessTokenVerifier(await publicKeys(), config.tokenVerification));
  return async (token: string): Promise<AccessTokenSubject> => {
    const now = clock.now();
    const subject = await (await verifier())(token, now);
    if (await revocationList().isRevoked(subject.sessionId, now)) {
      throw new InvalidTokenError('The access token belongs to a revoked session.');
    }
    return subject;
  };
}
