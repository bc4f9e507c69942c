import { DynamoAuthorizationCodeStore } from '../adapters/dynamo/authorization-code-store';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { exchangeAuthorizationCode } from '../domain/social-sign-in';
import { sessions, table, users } from './accounts';
import { currentRuntime, memo } from './runtime';
import { noticingNewDevices } from './security-notices';
import { accessTokenSigner } from './tokens';

/** One-time authorization codes (kept apart so the token function does not load the providers). */
export const authorizationCodes = () =>
  memo(
    'authorizationCodes',
    ({ config }) => new DynamoAuthorizationCodeStore(table(), config.eventRetentionSeconds),
  );

/** `POST /v1/oauth/token` with `grant_type=authorization_code`. */
export const exchangeAuthorizationCodeUseCase = () =>
  noticingNewDevices(
    exchangeAuthorizationCode({
      clock: currentRuntime().clock,
      crypto: nodeTokenCrypto,
      codes: authorizationCodes(),
      sessions: sessions(),
      users: users(),
      signer: accessTokenSigner(),
      sessionPolicy: currentRuntime().config.sessionPolicy,
    }),
  );
