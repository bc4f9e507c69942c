import { DynamoAuditLog } from '../adapters/dynamo/audit-log';
import { DynamoPasswordAccountStore } from '../adapters/dynamo/password-account-store';
import { DynamoSessionStore } from '../adapters/dynamo/session-store';
import { DynamoUserDirectory } from '../adapters/dynamo/user-directory';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { metricSecuritySignals } from '../adapters/operational-metrics';
import { listAccountEvents } from '../domain/account-view';
import { listSessions, revokeSession, signOut } from '../domain/manage-sessions';
import { refreshSession } from '../domain/refresh-session';
import { currentRuntime, memo } from './runtime';
import { table } from './table';
import { accessTokenSigner } from './tokens';

export { table };

export function base() {
  const { config, clock } = currentRuntime();
  return { config, clock, crypto: nodeTokenCrypto, sessionPolicy: config.sessionPolicy };
}

export const accounts = () =>
  memo('accounts', ({ config }) => new DynamoPasswordAccountStore(table(), config.eventRetentionSeconds));
export const sessions = () =>
  memo(
    'sessions',
    ({ config }) =>
      new DynamoSessionStore(table(), config.eventRetentionSeconds, config.revocationList.entrySeconds),
  );
export const users = () => memo('users', () => new DynamoUserDirectory(table()));
export const audit = () =>
  memo('audit', ({ config }) => new DynamoAuditLog(table(), config.eventRetentionSeconds));

/** `POST /v1/oauth/token` with `grant_type=refresh_token`. */
export function refreshUseCase() {
  const { config: _config, ...deps } = base();
  return refreshSession({
    ...deps,
    sessions: sessions(),
    signer: accessTokenSigner(),
    signals: metricSecuritySignals,
  });
}

const sessionDeps = () => {
  const { clock, crypto } = base();
  return { clock, crypto, sessions: sessions() };
};

/** `POST /v1/auth/logout`. */
export const signOutUseCase = () => signOut(sessionDeps());
/** `GET /v1/me/sessions`. */
export const listSessionsUseCase = () => listSessions(sessionDeps());
/** `DELETE /v1/me/sessions/{sessionId}`. */
export const revokeSessionUseCase = () => revokeSession(sessionDeps());
/** `GET /v1/me/events`. */
export const listEventsUseCase = () => listAccountEvents({ audit: audit(), clock: currentRuntime().clock });
