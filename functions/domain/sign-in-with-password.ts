import type { Clock } from './clock';
import { normalizePassword, normalizeUsername } from './credentials-policy';
import { InvalidCredentialsError } from './errors';
import { type LockoutPolicy, lockedError, lockStatus } from './lockout-policy';
import type { ClientInfo, TokenGrant } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { AuditLog } from './ports/audit-log';
import type { PasswordAccountStore } from './ports/password-account-store';
import type { PasswordHasher } from './ports/passwords';
import type { SecuritySignals } from './ports/security-signals';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { auditEvent, grantSession, sessionStarter, startSession } from './session-issuer';
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
 * Signs in with a username and password, under the lockout policy. Each attempt reserves a slot of
 * the allowance before the password is verified, and a right password clears the counter only if no
 * lock was set meanwhile, so parallel guesses check at most the remaining allowance. An unknown username is
 * verified against a dummy hash, counted and locked exactly like a known one, and refused with
 * the same error after the same number of table calls, so the answer says nothing about which
 * usernames exist. A good password costs 3 calls: the reservation (which returns the hash), the
 * session transaction and the profile query.
 *
 * @example
 * const grant = await signInWithPassword(deps)({ username: 'alice', password: '…' }, client);
 */
export function signInWithPassword(deps: SignInDeps) {
  return async (input: { username: string; password: string }, client: ClientInfo): Promise<TokenGrant> => {
    const username = normalizeUsername(input.username);
    const password = normalizePassword(input.password);
    const now = deps.clock.now();

    // Reserve the attempt before the slow verify: parallel guesses cannot outrun the counter. The
    // same write returns the identity and its hash, and refuses while a lock runs.
    const reserved = await deps.accounts.reserveAttempt(username, { now, ...deps.lockoutPolicy });
    if (reserved.outcome === 'already_locked') throw lockedError(reserved.record, now, deps.lockoutPolicy);
    const { identity } = reserved;

    const passwordOk =
      identity?.passwordHash === undefined
        ? await deps.hasher.verifyAgainstDummy(password)
        : await deps.hasher.verify(identity.passwordHash, password);

    if (!passwordOk || identity === undefined) {
      const lockedNow = lockStatus(reserved.record, now, deps.lockoutPolicy).locked;
      if (lockedNow) deps.signals?.lockedOut();
      if (identity === undefined) {
        // Its counter was the extra write; the metric is what an operator watches for stuffing.
        deps.signals?.unknownUsername();
      } else {
        await deps.audit.append(
          auditEvent(deps.crypto, {
            userId: identity.userId,
            type: lockedNow ? 'login.locked' : 'login.failed',
            now,
            client,
            detail: { method: 'password', failures: reserved.record.failures },
          }),
        );
      }
      throw new InvalidCredentialsError();
    }

    const started = startSession(
      deps,
      { userId: identity.userId, now, client },
      { method: 'password', startedBy: sessionStarter(deps.crypto, 'password', username) },
    );
    const completed = await deps.accounts.completeLogin({
      username,
      ...started,
      reserved: reserved.record.failures,
      maxFailures: deps.lockoutPolicy.maxFailures,
    });
    // Other attempts spent the allowance while this one was verified: the lock wins.
    if (completed === 'locked') throw lockedError(reserved.record, now, deps.lockoutPolicy);
    return grantSession(deps, started, { missing: () => new InvalidCredentialsError() });
  };
}
