import type { Clock } from './clock';
import { normalizePassword, normalizeUsername } from './credentials-policy';
import { AccountLockedError, InvalidCredentialsError } from './errors';
import { continuesWindow, type LockoutPolicy, lockStatus } from './lockout-policy';
import type { ClientInfo, TokenGrant } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { AuditLog } from './ports/audit-log';
import type { PasswordAccountStore } from './ports/password-account-store';
import type { PasswordHasher } from './ports/passwords';
import type { SecuritySignals } from './ports/security-signals';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { auditEvent, grantSession, startSession } from './session-issuer';
import type { SessionPolicy } from './session-policy';

export interface SignInDeps {
  clock: Clock;
  crypto: TokenCrypto;
  hasher: PasswordHasher;
  accounts: PasswordAccountStore;
  users: UserDirectory;
  audit: AuditLog;
  signer: AccessTokenSigner;
  lockoutPolicy: LockoutPolicy;
  sessionPolicy: SessionPolicy;
  /** Told when a lock is set, for the operators' metrics. */
  signals?: SecuritySignals;
}

/**
 * Signs in with a username and password, under the lockout policy. An unknown username is
 * verified against a dummy hash, counted and locked exactly like a known one, and refused with
 * the same error, so the answer says nothing about which usernames exist.
 *
 * @example
 * const grant = await signInWithPassword(deps)({ username: 'alice', password: '…' }, client);
 */
export function signInWithPassword(deps: SignInDeps) {
  return async (input: { username: string; password: string }, client: ClientInfo): Promise<TokenGrant> => {
    const username = normalizeUsername(input.username);
    const password = normalizePassword(input.password);
    const now = deps.clock.now();

    const { identity, failures } = await deps.accounts.loadLoginState(username);
    const status = lockStatus(failures, now, deps.lockoutPolicy);
    if (status.locked) throw new AccountLockedError(status.retryAfterSeconds);

    const passwordOk =
      identity?.passwordHash === undefined
        ? await deps.hasher.verifyAgainstDummy(password)
        : await deps.hasher.verify(identity.passwordHash, password);

    if (!passwordOk || identity === undefined) {
      const counted = await deps.accounts.countFailure(username, {
        now,
        ...deps.lockoutPolicy,
        hint: continuesWindow(failures, now, deps.lockoutPolicy) ? 'continue' : 'start',
      });
      const after = lockStatus(counted.record, now, deps.lockoutPolicy);
      const lockedNow = after.locked && counted.outcome === 'counted';
      if (lockedNow) deps.signals?.lockedOut();
      if (identity === undefined) {
        await deps.accounts.recordUnknownUsernameFailure(username, now);
      } else {
        await deps.audit.append(
          auditEvent(deps.crypto, {
            userId: identity.userId,
            type: lockedNow ? 'login.locked' : 'login.failed',
            now,
            client,
            detail: { method: 'password', failures: counted.record.failures },
          }),
        );
      }
      if (counted.outcome === 'already_locked' && after.locked)
        throw new AccountLockedError(after.retryAfterSeconds);
      throw new InvalidCredentialsError();
    }

    const started = startSession(deps, { userId: identity.userId, now, client }, { method: 'password' });
    await deps.accounts.completeLogin({ username, ...started });
    return grantSession(deps, started, { missing: () => new InvalidCredentialsError() });
  };
}
