import type { Clock } from './clock';
import { normalizePassword } from './credentials-policy';
import {
  InvalidCodeError,
  InvalidCredentialsError,
  InvalidTokenError,
  ProviderRejectedError,
  ValidationFailedError,
} from './errors';
import { type LockoutPolicy, lockedError, lockStatus } from './lockout-policy';
import { type ClientInfo, type TokenGrant, toUserView } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { AuditLog } from './ports/audit-log';
import type { OtpCrypto } from './ports/otp-crypto';
import type { PasswordAccountStore } from './ports/password-account-store';
import type { PasswordHasher } from './ports/passwords';
import type { SessionStore } from './ports/session-store';
import type { SmsCodeStore } from './ports/sms-code-store';
import type { SocialIdentityStore } from './ports/social-identity-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { auditEvent, grantFor } from './session-issuer';
import { familyToken } from './session-policy';
import type { SmsPolicy } from './sms-code-policy';
import { checkPhoneCode } from './sms-sign-in';
import {
  type CredentialFields,
  type IdentityProviders,
  type SocialCredential,
  toSocialCredential,
} from './social-credentials';

/** What the user proves again: one way into the account they are signed in to. */
export type ReauthProof =
  | { kind: 'password'; password: string }
  | { kind: 'sms'; phone: string; code: string }
  | { kind: 'social'; credential: SocialCredential };

/** The request's fields, as `POST /v1/auth/reauth` validated them. */
export type ReauthFields = Omit<CredentialFields, 'provider'> & {
  password?: string | undefined;
  phone?: string | undefined;
  provider?: CredentialFields['provider'] | undefined;
};

/**
 * Picks the one proof out of the request: `password`, `phone` + `code`, or `provider` and its
 * credential. None, or more than one, is VALIDATION_FAILED.
 *
 * @example
 * toReauthProof({ phone: '+8613800138000', code: '123456' }) // { kind: 'sms', phone, code }
 */
export function toReauthProof(fields: ReauthFields): ReauthProof {
  const given = [fields.password, fields.phone, fields.provider].filter((f) => f !== undefined).length;
  if (given !== 1) {
    throw new ValidationFailedError(
      [{ path: '(body)', message: 'Give exactly one of password, phone + code, or provider + credential.' }],
      'Give exactly one proof.',
    );
  }
  if (fields.password !== undefined) return { kind: 'password', password: fields.password };
  if (fields.phone !== undefined) {
    if (fields.code === undefined) {
      throw new ValidationFailedError([{ path: 'code', message: 'Required with phone.' }]);
    }
    return { kind: 'sms', phone: fields.phone, code: fields.code };
  }
  return { kind: 'social', credential: toSocialCredential({ ...fields, provider: fields.provider! }) };
}

export interface ReauthDeps {
  clock: Clock;
  crypto: TokenCrypto;
  users: UserDirectory;
  sessions: SessionStore;
  signer: AccessTokenSigner;
  audit: AuditLog;
  /** The password proof, under the lockout policy of password sign-in. */
  accounts: PasswordAccountStore;
  hasher: PasswordHasher;
  lockoutPolicy: LockoutPolicy;
  /** The SMS proof. */
  otp: OtpCrypto;
  codes: SmsCodeStore;
  smsPolicy: SmsPolicy;
  /** The social proof. */
  providers: IdentityProviders;
  identities: SocialIdentityStore;
}

/**
 * `POST /v1/auth/reauth` (RFC 9470 step-up): the signed-in user proves a way into *this* account
 * again — its password (counted by the lockout exactly as a sign-in: reserved before argon2
 * runs), a code texted to its phone (spent), or a credential of one of its linked providers — and
 * the same session gets a fresh `auth_time` and the next refresh token of its family.
 * A proof of another account is refused like a wrong one and changes nothing.
 *
 * @example
 * const grant = await reauthenticate(deps)({ userId, sessionId }, { kind: 'password', password }, client);
 */
export function reauthenticate(deps: ReauthDeps) {
  return async (
    caller: { userId: string; sessionId: string },
    proof: ReauthProof,
    client: ClientInfo,
  ): Promise<TokenGrant> => {
    const found = await deps.users.getUser(caller.userId);
    if (found === undefined) throw new InvalidTokenError('The account no longer exists.');
    const method = await prove(deps, caller.userId, found.identities, proof, client);

    const now = deps.clock.now();
    const secret = deps.crypto.newSecret();
    const renewed = await deps.sessions.reauthenticate({
      userId: caller.userId,
      sessionId: caller.sessionId,
      nextHash: deps.crypto.hashSecret(secret),
      familyKey: deps.crypto.newSecret(),
      now,
      event: auditEvent(deps.crypto, {
        userId: caller.userId,
        type: 'session.reauthenticated',
        now,
        client,
        sessionId: caller.sessionId,
        detail: { method },
      }),
    });
    if (renewed === undefined) throw new InvalidTokenError('The session has ended. Sign in again.');
    const family = {
      userId: caller.userId,
      sessionId: caller.sessionId,
      generation: renewed.generation ?? 0,
      familyKey: renewed.familyKey ?? '',
    };
    return grantFor(deps.signer, {
      userId: caller.userId,
      sessionId: caller.sessionId,
      refreshToken: familyToken(deps.crypto, family, secret),
      user: toUserView(found.user, found.identities),
      now,
      authTime: now,
    });
  };
}

/** Checks the proof against the account's own identities; answers the way in, for the event. */
async function prove(
  deps: ReauthDeps,
  userId: string,
  identities: { type: string; subject: string }[],
  proof: ReauthProof,
  client: ClientInfo,
): Promise<string> {
  switch (proof.kind) {
    case 'password': {
      const username = identities.find((i) => i.type === 'password')?.subject;
      if (username === undefined) throw new InvalidCredentialsError();
      await provePassword(deps, userId, username, proof.password, client);
      return 'password';
    }
    case 'sms': {
      if (!/^\d{6}$/.test(proof.code)) {
        throw new ValidationFailedError([{ path: 'code', message: 'must be six digits' }]);
      }
      const { codeId, identity, phone } = await checkPhoneCode(deps, proof.phone, proof.code);
      // A code to someone else's phone (or to no account's) proves nothing here; it stays unspent.
      if (identity?.userId !== userId) throw new InvalidCodeError();
      if (!(await deps.codes.consumeCode(phone.e164, codeId, deps.smsPolicy.maxAttempts))) {
        throw new InvalidCodeError();
      }
      return 'sms';
    }
    case 'social': {
      const profile = await deps.providers.verify(proof.credential);
      const identity = await deps.identities.findIdentity(profile.provider, profile.subject);
      if (identity?.userId !== userId) {
        throw new ProviderRejectedError('that account is not a way into this one.');
      }
      return profile.provider;
    }
  }
}

/** The password sign-in's check, without the session: reserve, verify, clear only if not locked since. */
async function provePassword(
  deps: ReauthDeps,
  userId: string,
  username: string,
  rawPassword: string,
  client: ClientInfo,
): Promise<void> {
  const now = deps.clock.now();
  const reserved = await deps.accounts.reserveAttempt(username, { now, ...deps.lockoutPolicy });
  if (reserved.outcome === 'already_locked') throw lockedError(reserved.record, now, deps.lockoutPolicy);
  const { identity } = reserved;
  // The username came from the user's own identities: anything else is a race with an unlink.
  if (identity?.userId !== userId || identity.passwordHash === undefined) throw new InvalidCredentialsError();

  if (!(await deps.hasher.verify(identity.passwordHash, normalizePassword(rawPassword)))) {
    const lockedNow = lockStatus(reserved.record, now, deps.lockoutPolicy).locked;
    await deps.audit.append(
      auditEvent(deps.crypto, {
        userId,
        type: lockedNow ? 'login.locked' : 'login.failed',
        now,
        client,
        detail: { method: 'password', failures: reserved.record.failures, reauth: true },
      }),
    );
    throw new InvalidCredentialsError();
  }
  const cleared = await deps.accounts.clearFailures({
    username,
    reserved: reserved.record.failures,
    maxFailures: deps.lockoutPolicy.maxFailures,
  });
  if (cleared === 'locked') throw lockedError(reserved.record, now, deps.lockoutPolicy);
}
