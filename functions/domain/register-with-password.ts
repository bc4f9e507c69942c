import type { Clock } from './clock';
import {
  assertNoProblems,
  assertNotCommon,
  normalizePassword,
  normalizeUsername,
  passwordLengthProblems,
  usernameProblems,
} from './credentials-policy';
import { UsernameTakenError } from './errors';
import { maskUsername } from './labels';
import { type ClientInfo, type IdentityRecord, type TokenGrant, toUserView, type UserRecord } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { PasswordAccountStore } from './ports/password-account-store';
import type { CommonPasswordList, PasswordHasher } from './ports/passwords';
import type { TokenCrypto } from './ports/token-crypto';
import { auditEvent, grantFor, newSession } from './session-issuer';
import type { SessionPolicy } from './session-policy';

export interface RegisterDeps {
  clock: Clock;
  crypto: TokenCrypto;
  hasher: PasswordHasher;
  commonPasswords: CommonPasswordList;
  accounts: PasswordAccountStore;
  signer: AccessTokenSigner;
  sessionPolicy: SessionPolicy;
}

export interface RegisterInput {
  username: string;
  password: string;
  displayName?: string;
}

/**
 * Creates an account with a username and password and signs it in. The username is claimed by a
 * conditional write, so of any number of racing registrations exactly one wins.
 *
 * @example
 * const grant = await registerWithPassword(deps)({ username: 'alice', password: '…' }, client);
 */
export function registerWithPassword(deps: RegisterDeps) {
  return async (input: RegisterInput, client: ClientInfo): Promise<TokenGrant> => {
    const username = normalizeUsername(input.username);
    const password = normalizePassword(input.password);
    assertNoProblems([...usernameProblems(username), ...passwordLengthProblems(password)]);
    await assertNotCommon(deps.commonPasswords, password);

    const now = deps.clock.now();
    const passwordHash = await deps.hasher.hash(password);
    const user: UserRecord = {
      id: deps.crypto.newId('usr'),
      displayName: input.displayName?.trim() || username,
      emailConfirmed: false,
      notifications: { sms: true, email: true },
      createdAt: now.toISOString(),
      identityCount: 1,
    };
    const identity: IdentityRecord = {
      type: 'password',
      subject: username,
      userId: user.id,
      label: maskUsername(username),
      linkedAt: user.createdAt,
      passwordHash,
    };
    const { session, refreshToken } = newSession(deps, user.id, now, client);
    const event = auditEvent(deps.crypto, {
      userId: user.id,
      type: 'account.registered',
      now,
      client,
      sessionId: session.id,
      detail: { method: 'password' },
    });
    if ((await deps.accounts.createAccount({ user, identity, session, event })) === 'username_taken')
      throw new UsernameTakenError();

    return grantFor(deps.signer, {
      userId: user.id,
      sessionId: session.id,
      refreshToken,
      user: toUserView(user, [identity]),
      now,
    });
  };
}
