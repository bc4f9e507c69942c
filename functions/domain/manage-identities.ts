import type { Clock } from './clock';
import {
  assertNoProblems,
  assertNotCommon,
  normalizePassword,
  normalizeUsername,
  passwordLengthProblems,
  usernameProblems,
} from './credentials-policy';
import {
  AppError,
  IdentityInUseError,
  IdentityTypeTakenError,
  InvalidCodeError,
  InvalidCredentialsError,
  NotFoundError,
  UsernameTakenError,
  ValidationFailedError,
} from './errors';
import { maskUsername } from './labels';
import { type LockoutPolicy, lockedError } from './lockout-policy';
import type { ClientInfo, IdentityRecord, IdentityType, UserView } from './model';
import { toUserView } from './model';
import { phoneIdentity } from './phone-numbers';
import type { IdentityStore } from './ports/identity-store';
import type { OtpCrypto } from './ports/otp-crypto';
import type { PasswordAccountStore } from './ports/password-account-store';
import type { CommonPasswordList, PasswordHasher } from './ports/passwords';
import type { PhoneAccountStore } from './ports/phone-account-store';
import type { SecurityNotifier } from './ports/security-notifier';
import type { SessionStore } from './ports/session-store';
import type { SmsCodeStore } from './ports/sms-code-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { revokeLiveSessions } from './revoke-sessions';
import { verifiedPhone } from './security-notices';
import { auditEvent, sessionStarter } from './session-issuer';
import type { SmsPolicy } from './sms-code-policy';
import { checkPhoneCode } from './sms-sign-in';

export interface IdentityDeps {
  clock: Clock;
  crypto: TokenCrypto;
  users: UserDirectory;
  /** Tells the user of each change to the ways into the account, once it is written. */
  notify?: SecurityNotifier;
}

async function currentUser(deps: IdentityDeps, userId: string): Promise<UserView> {
  const found = await deps.users.getUser(userId);
  if (found === undefined) throw new NotFoundError('No such user.');
  return toUserView(found.user, found.identities);
}

/**
 * `PUT /v1/me/password`: adds a username and password to an account that has none (a phone-first
 * user), or changes the password, which needs the current one (counted against the lockout
 * like a sign-in) and signs out every other session.
 *
 * @example
 * await setPassword(deps)(userId, sessionId, { username: 'alice', password: '…' }, client);
 */
export function setPassword(
  deps: IdentityDeps & {
    hasher: PasswordHasher;
    commonPasswords: CommonPasswordList;
    accounts: PasswordAccountStore;
    sessions: SessionStore;
    lockoutPolicy: LockoutPolicy;
  },
) {
  return async (
    userId: string,
    sessionId: string,
    input: { password: string; currentPassword?: string; username?: string },
    client: ClientInfo,
  ): Promise<void> => {
    const password = normalizePassword(input.password);
    assertNoProblems(passwordLengthProblems(password));
    await assertNotCommon(deps.commonPasswords, password);
    const found = await deps.users.getUser(userId);
    if (found === undefined) throw new NotFoundError('No such user.');
    const now = deps.clock.now();
    const username = found.identities.find((i) => i.type === 'password')?.subject;

    if (username === undefined) {
      if (input.username === undefined) {
        throw new ValidationFailedError([
          { path: 'username', message: 'Choose a username to go with the password.' },
        ]);
      }
      const chosen = normalizeUsername(input.username);
      assertNoProblems(usernameProblems(chosen));
      const identity: IdentityRecord = {
        type: 'password',
        subject: chosen,
        userId,
        label: maskUsername(chosen),
        linkedAt: now.toISOString(),
        passwordHash: await deps.hasher.hash(password),
      };
      const event = auditEvent(deps.crypto, { userId, type: 'password.set', now, client, sessionId });
      const added = await deps.accounts.addPassword({ identity, event });
      if (added === 'username_taken') throw new UsernameTakenError();
      if (added === 'type_taken') throw new IdentityTypeTakenError();
      // A new way in: a username and password.
      await deps.notify?.({
        eventId: event.id,
        userId,
        kind: 'identity_linked',
        subject: 'password',
        phone: verifiedPhone(found.identities),
      });
      return;
    }

    if (input.username !== undefined && normalizeUsername(input.username) !== username) {
      throw new ValidationFailedError([{ path: 'username', message: 'The username cannot be changed.' }]);
    }
    if (input.currentPassword === undefined) {
      throw new ValidationFailedError([
        { path: 'currentPassword', message: 'Give the current password to change it.' },
      ]);
    }
    // Like sign-in: reserve the attempt before the verify, clear it only if no lock was set since.
    const reserved = await deps.accounts.reserveAttempt(username, { now, ...deps.lockoutPolicy });
    if (reserved.outcome === 'already_locked') throw lockedError(reserved.record, now, deps.lockoutPolicy);
    const existing = reserved.identity;
    if (existing === undefined || existing.userId !== userId) throw new NotFoundError('No such user.');
    const currentOk =
      existing.passwordHash !== undefined &&
      (await deps.hasher.verify(existing.passwordHash, normalizePassword(input.currentPassword)));
    if (!currentOk) throw new InvalidCredentialsError();
    const cleared = await deps.accounts.clearFailures({
      username,
      reserved: reserved.record.failures,
      maxFailures: deps.lockoutPolicy.maxFailures,
    });
    if (cleared === 'locked') throw lockedError(reserved.record, now, deps.lockoutPolicy);
    const changed = auditEvent(deps.crypto, { userId, type: 'password.changed', now, client, sessionId });
    await deps.accounts.changePassword({
      identity: existing,
      passwordHash: await deps.hasher.hash(password),
      event: changed,
    });
    await revokeLiveSessions(deps, {
      userId,
      now,
      client,
      keep: sessionId,
      reason: 'revoked_by_user',
      detail: { reason: 'password_changed' },
    });
    await deps.notify?.({
      eventId: changed.id,
      userId,
      kind: 'password_changed',
      phone: verifiedPhone(found.identities),
    });
  };
}

/**
 * `POST /v1/me/identities/phone`: links a phone, proven by a code, to the signed-in user. A phone
 * another account uses is IDENTITY_IN_USE; the user's previous phone, if any, is replaced.
 */
export function linkPhone(
  deps: IdentityDeps & {
    otp: OtpCrypto;
    codes: SmsCodeStore;
    phoneAccounts: PhoneAccountStore;
    smsPolicy: SmsPolicy;
  },
) {
  return async (
    userId: string,
    input: { phone: string; code: string },
    client: ClientInfo,
  ): Promise<UserView> => {
    const { phone, now, codeId, identity } = await checkPhoneCode(deps, input.phone, input.code);
    if (identity !== undefined && identity.userId !== userId) throw new IdentityInUseError();
    if (identity === undefined) {
      const found = await deps.users.getUser(userId);
      if (found === undefined) throw new NotFoundError('No such user.');
      const replaced = found.identities.find((i) => i.type === 'phone');
      const linked = auditEvent(deps.crypto, {
        userId,
        type: 'identity.linked',
        now,
        client,
        detail: { type: 'phone' },
      });
      const result = await deps.phoneAccounts.linkPhone({
        phone: phone.e164,
        codeId,
        maxAttempts: deps.smsPolicy.maxAttempts,
        identity: phoneIdentity(phone, userId, now),
        replaced,
        event: linked,
      });
      if (result === 'phone_taken') throw new IdentityInUseError();
      if (result === 'type_taken') throw new IdentityTypeTakenError();
      if (result === 'code_gone') throw new InvalidCodeError();
      // Texted to the number the account had, if any (the owner's), else to the one just proven.
      await deps.notify?.({
        eventId: linked.id,
        userId,
        kind: 'identity_linked',
        subject: 'phone',
        phone: replaced?.subject ?? phone.e164,
      });
    }
    return currentUser(deps, userId);
  };
}

/**
 * `DELETE /v1/me/identities/{type}`: unlinks a way in, never the last one, and revokes the other
 * live sessions that identity started (a session signed in with a Google account the user now
 * disowns must not outlive it). The caller's own session is kept: it just passed step-up.
 */
export function unlinkIdentity(deps: IdentityDeps & { identities: IdentityStore; sessions: SessionStore }) {
  return async (userId: string, sessionId: string, type: IdentityType, client: ClientInfo): Promise<void> => {
    const found = await deps.users.getUser(userId);
    const identity = found?.identities.find((i) => i.type === type);
    if (identity === undefined) throw new NotFoundError(`No ${type} sign-in on this account.`);
    const now = deps.clock.now();
    const event = auditEvent(deps.crypto, {
      userId,
      type: 'identity.unlinked',
      now,
      client,
      detail: { type },
    });
    const result = await deps.identities.unlink({ identity, event });
    if (result === 'last') {
      throw new AppError(
        'LAST_IDENTITY',
        'This is the last way into the account; add another before removing it.',
      );
    }
    if (result === 'gone') throw new NotFoundError(`No ${type} sign-in on this account.`);

    const starter = sessionStarter(deps.crypto, identity.type, identity.subject);
    await revokeLiveSessions(deps, {
      userId,
      now,
      client,
      keep: sessionId,
      reason: 'identity_unlinked',
      detail: { reason: 'identity_unlinked', type },
      which: (session) =>
        session.startedBy?.type === starter.type &&
        deps.crypto.sameHash(session.startedBy.subjectHash, starter.subjectHash),
    });
    // An unlinked phone still hears of it: it was the account's until now.
    await deps.notify?.({
      eventId: event.id,
      userId,
      kind: 'identity_unlinked',
      subject: type,
      phone: verifiedPhone(found?.identities ?? []),
    });
  };
}
