import type { Clock } from './clock';
import {
  assertNoProblems,
  assertNotCommon,
  normalizePassword,
  passwordLengthProblems,
} from './credentials-policy';
import { InvalidCodeError, NoPasswordIdentityError } from './errors';
import { type ClientInfo, type TokenGrant, toUserView, type UserView } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { OtpCrypto } from './ports/otp-crypto';
import type { CommonPasswordList, PasswordHasher } from './ports/passwords';
import type { PasswordResetWrite, RecoveryStore } from './ports/recovery-store';
import type { SessionStore } from './ports/session-store';
import type { SmsCodeStore } from './ports/sms-code-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import type { DormancyGuard } from './recycled-numbers';
import { revokeLiveSessions } from './revoke-sessions';
import type { SecurityNotice } from './security-notices';
import { auditEvent, grantSession, type SessionStart, startSession } from './session-issuer';
import type { SessionPolicy } from './session-policy';
import type { SmsPolicy } from './sms-code-policy';
import { checkPhoneCode } from './sms-sign-in';

export interface ResetDeps {
  clock: Clock;
  crypto: TokenCrypto;
  users: UserDirectory;
  sessions: SessionStore;
  recovery: RecoveryStore;
  hasher: PasswordHasher;
  commonPasswords: CommonPasswordList;
  signer: AccessTokenSigner;
  sessionPolicy: SessionPolicy;
  /** Tells the user their password was reset (`password_reset`, the SMS and the alert topic). */
  notify: (notice: SecurityNotice) => Promise<void>;
}

/** A new password, checked like any other: length and the common-password list. */
export async function acceptablePassword(
  deps: Pick<ResetDeps, 'commonPasswords'>,
  raw: string,
): Promise<string> {
  const password = normalizePassword(raw);
  assertNoProblems(passwordLengthProblems(password));
  await assertNotCommon(deps.commonPasswords, password);
  return password;
}

/** The account behind a proven secret, and its username; NO_PASSWORD_IDENTITY without one. */
export async function passwordAccount(deps: Pick<ResetDeps, 'users'>, userId: string) {
  const found = await deps.users.getUser(userId);
  const username = found?.identities.find((i) => i.type === 'password')?.subject;
  if (found === undefined || username === undefined) throw new NoPasswordIdentityError();
  return { found, username };
}

/**
 * What a reset writes besides the secret: the new hash, a session (`method` names the proof) and
 * the `password.reset` event.
 */
export async function prepareReset(
  deps: ResetDeps,
  account: Awaited<ReturnType<typeof passwordAccount>>,
  input: { password: string; method: 'sms' | 'email'; now: Date; client: ClientInfo },
): Promise<{ write: PasswordResetWrite; started: SessionStart; user: UserView }> {
  const { found, username } = account;
  const userId = found.user.id;
  const { now, client } = input;
  const started = startSession(deps, { userId, now, client }, { method: `password_reset_${input.method}` });
  return {
    started,
    user: toUserView(found.user, found.identities),
    write: {
      username,
      userId,
      passwordHash: await deps.hasher.hash(input.password),
      session: started.session,
      event: started.event,
      resetEvent: auditEvent(deps.crypto, {
        userId,
        type: 'password.reset',
        now,
        client,
        sessionId: started.session.id,
        detail: { method: input.method },
      }),
    },
  };
}

/**
 * After the reset is written: every other session is revoked (whoever held one, perhaps the one
 * who locked the account, is out), the user is told (`password_reset` notice on their phone and
 * the alert topic, keyed by the reset's event), and the reset's own session is granted.
 */
export async function finishReset(
  deps: ResetDeps,
  reset: Awaited<ReturnType<typeof prepareReset>>,
  input: { now: Date; client: ClientInfo },
): Promise<TokenGrant> {
  const { write, started, user } = reset;
  await revokeLiveSessions(deps, {
    userId: write.userId,
    now: input.now,
    client: input.client,
    keep: started.session.id,
    reason: 'revoked_by_user',
    detail: { reason: 'password_reset' },
  });
  await deps.notify({
    eventId: write.resetEvent.id,
    userId: write.userId,
    kind: 'password_reset',
    phone: user.phone,
  });
  return grantSession(deps, started, { user });
}

/**
 * `POST /v1/auth/password/reset`: a code texted to the account's verified phone sets a new
 * password, ends the lockout, signs out every other session and signs in. The code is consumed
 * in the same transaction as the new hash, so it works once. A phone with no account, or an
 * account without a username, is NO_PASSWORD_IDENTITY (the code stays usable for SMS sign-in).
 * A dormant account with another way in or banks is held exactly as SMS sign-in holds it
 * (`guardDormant`, 409 PHONE_REVERIFY_REQUIRED, the code consumed into a reverify challenge):
 * the number may have been recycled, and a reset signs in too.
 *
 * @example
 * const grant = await resetPasswordWithCode(deps)({ phone, code, password }, client);
 */
export function resetPasswordWithCode(
  deps: ResetDeps & {
    otp: OtpCrypto;
    codes: SmsCodeStore;
    smsPolicy: SmsPolicy;
    /** Holds a reset of a dormant account whose number may have changed hands. */
    guardDormant: DormancyGuard;
  },
) {
  return async (
    input: { phone: string; code: string; password: string },
    client: ClientInfo,
  ): Promise<TokenGrant> => {
    const password = await acceptablePassword(deps, input.password);
    const { phone, now, codeId, identity } = await checkPhoneCode(deps, input.phone, input.code);
    if (identity === undefined) throw new NoPasswordIdentityError();
    const account = await passwordAccount(deps, identity.userId);
    const code = { phone: phone.e164, codeId, maxAttempts: deps.smsPolicy.maxAttempts };
    await deps.guardDormant({ identity, ...code, client, method: 'password_reset_sms' });
    const reset = await prepareReset(deps, account, { password, method: 'sms', now, client });
    const result = await deps.recovery.resetWithCode({ ...reset.write, ...code });
    if (result === 'secret_gone') throw new InvalidCodeError();
    if (result === 'identity_gone') throw new NoPasswordIdentityError();
    return finishReset(deps, reset, { now, client });
  };
}
