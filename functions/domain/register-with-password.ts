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
import { type ClientInfo, type IdentityRecord, type TokenGrant, toUserView } from './model';
import { newUser } from './new-user';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { PasswordAccountStore } from './ports/password-account-store';
import type { CommonPasswordList, PasswordHasher } from './ports/passwords';
import type { TokenCrypto } from './ports/token-crypto';
import { grantSession, sessionStarter, startSession } from './session-issuer';
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
    const user = newUser({
      id: deps.crypto.newId('usr'),
      displayName: input.displayName?.trim() || username,
      now,
    });
    const identity: IdentityRecord = {
      type: 'password',
      subject: username,
      userId: user.id,
      label: maskUsername(username),
      linkedAt: user.createdAt,
      passwordHash,
    };
    const started = startSession(
      deps,
      { userId: user.id, now, client },
      { method: 'password', newUser: true, startedBy: sessionStarter(deps.crypto, 'password', username) },
    );
    const created = await deps.accounts.createAccount({ user, identity, ...started });
    if (created === 'username_taken') throw new UsernameTakenError();
    return grantSession(deps, started, { user: toUserView(user, [identity]) });
  };
}
