import { addSeconds, type Clock } from './clock';
import { InvalidCodeError, PhoneReverifyRequiredError, ValidationFailedError } from './errors';
import { type ClientInfo, type IdentityRecord, type TokenGrant, toUserView, type UserView } from './model';
import { newUser } from './new-user';
import { parseMobileNumber, phoneIdentity } from './phone-numbers';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { RecycledNumberStore } from './ports/recycled-number-store';
import type { SessionStore } from './ports/session-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { DeviceSeen, UserDirectory } from './ports/user-directory';
import { auditEvent, grantSession, startSession } from './session-issuer';
import type { SessionPolicy } from './session-policy';

/** An account as a sign-in reads it once: the user for the answer, the sessions' devices for the notice. */
export interface SignInAccount {
  user: UserView;
  devices: DeviceSeen[];
}

/** When an account counts as dormant, and how long a re-verification challenge lives. */
export interface DormancyPolicy {
  /** No sign-in and no refresh for this long makes an account dormant (180 days by default). */
  dormantAfterSeconds: number;
  challengeSeconds: number;
}

export interface DormancyDeps {
  clock: Clock;
  crypto: TokenCrypto;
  users: UserDirectory;
  sessions: SessionStore;
  recycled: RecycledNumberStore;
  dormancy: DormancyPolicy;
}

/**
 * When the account was last used: its last sign-in, or the last refresh of a session still
 * stored, whichever is later. Sessions past their expiry are eventually deleted, so a refresh made
 * more than the session's absolute lifetime after the last sign-in can be missed: the error is on
 * the safe side (an account may be found dormant early, never late).
 */
async function lastUsed(deps: DormancyDeps, userId: string, createdAt: string): Promise<number> {
  const signIn = await deps.recycled.lastSignIn(userId);
  let latest = Date.parse(signIn ?? createdAt);
  const threshold = deps.clock.now().getTime() - deps.dormancy.dormantAfterSeconds * 1000;
  if (latest > threshold) return latest;
  for (const session of await deps.sessions.listForUser(userId)) {
    latest = Math.max(latest, Date.parse(session.lastUsedAt));
  }
  return latest;
}

/**
 * Before an SMS code signs in to an existing account: if the account is dormant and has another
 * way in or bank links, the code proves only possession of a number carriers may have handed to
 * someone else. The code is then consumed into a challenge (valid 10 minutes, single use) and
 * the answer is 409 PHONE_REVERIFY_REQUIRED with the challenge and the account's other ways in.
 * An account whose only way in is the phone, with no banks, signs in as before: the number is
 * all there is to it. Password reset by SMS is held by the same rule (`reset-password.ts`): a
 * reset signs in too, so it can never be weaker than SMS sign-in. Returns the account it read
 * (the sign-in's answer and its new-device check need no second read), `undefined` if there is
 * none.
 */
export function guardDormantAccount(deps: DormancyDeps) {
  return async (input: {
    identity: IdentityRecord;
    phone: string;
    codeId: string;
    maxAttempts: number;
    client: ClientInfo;
    /** What the code was for, in the audit event: `sms` (sign-in, the default) or `password_reset_sms`. */
    method?: 'sms' | 'password_reset_sms';
  }): Promise<SignInAccount | undefined> => {
    const { userId } = input.identity;
    const found = await deps.users.getUserForSignIn(userId);
    if (found === undefined) return undefined;
    const view = { user: toUserView(found.user, found.identities), devices: found.devices };
    const now = deps.clock.now();
    const threshold = now.getTime() - deps.dormancy.dormantAfterSeconds * 1000;
    if ((await lastUsed(deps, userId, found.user.createdAt)) > threshold) return view;
    const ways = found.identities.filter((i) => i.type !== 'phone').map((i) => i.type);
    const banks = await deps.recycled.hasBankLinks(userId);
    if (ways.length === 0 && !banks) return view;

    const challenge = deps.crypto.newSecret();
    const held = await deps.recycled.holdForReverify({
      phone: input.phone,
      codeId: input.codeId,
      maxAttempts: input.maxAttempts,
      challengeHash: deps.crypto.hashSecret(challenge),
      userId,
      expiresAt: addSeconds(now, deps.dormancy.challengeSeconds),
      event: auditEvent(deps.crypto, {
        userId,
        type: 'login.reverify_required',
        now,
        client: input.client,
        detail: { method: input.method ?? 'sms' },
      }),
    });
    if (held === 'code_gone') throw new InvalidCodeError();
    throw new PhoneReverifyRequiredError(challenge, deps.dormancy.challengeSeconds, ways);
  };
}

/** The check `guardDormantAccount` builds: throws PHONE_REVERIFY_REQUIRED for a held account. */
export type DormancyGuard = ReturnType<typeof guardDormantAccount>;

/**
 * `POST /v1/auth/sms/reverify`: completes a held SMS sign-in. With `password`, the account's
 * password (under the lockout, one try per challenge) signs in to the account; with
 * `newAccount: true`, the caller starts a new account that takes the number over and detaches it
 * from the dormant one, which keeps its other ways in and its banks.
 *
 * @example
 * const grant = await completeReverify(deps)({ challenge, newAccount: true }, client);
 */
export function completeReverify(
  deps: DormancyDeps & {
    signer: AccessTokenSigner;
    sessionPolicy: SessionPolicy;
    allowedCountries: readonly string[];
    /** Signs in with the account's username and the given password, under the lockout. */
    signInWithPassword: (
      input: { username: string; password: string },
      client: ClientInfo,
    ) => Promise<TokenGrant>;
  },
) {
  return async (
    input: { challenge: string; password?: string; newAccount?: boolean },
    client: ClientInfo,
  ): Promise<TokenGrant & { isNewUser: boolean }> => {
    if ((input.password === undefined) === (input.newAccount !== true)) {
      throw new ValidationFailedError([
        { path: 'password', message: 'Give either the password of the account or newAccount: true.' },
      ]);
    }
    const now = deps.clock.now();
    const challengeHash = deps.crypto.hashSecret(input.challenge);
    const held = await deps.recycled.findChallenge(challengeHash, now);
    if (held === undefined) throw new InvalidCodeError();

    if (input.password !== undefined) {
      const found = await deps.users.getUser(held.userId);
      const username = found?.identities.find((i) => i.type === 'password')?.subject;
      if (username === undefined) throw new InvalidCodeError();
      // One password try per challenge: a new holder of the number cannot guess on from here.
      if (!(await deps.recycled.consumeChallenge({ challengeHash, userId: held.userId, now })))
        throw new InvalidCodeError();
      return {
        ...(await deps.signInWithPassword({ username, password: input.password }, client)),
        isNewUser: false,
      };
    }

    const phone = parseMobileNumber(held.phone, deps.allowedCountries);
    const userId = deps.crypto.newId('usr');
    const started = startSession(deps, { userId, now, client }, { method: 'sms', newUser: true });
    const user = newUser({ id: userId, displayName: phone.label, phone: phone.e164, now });
    const identity = phoneIdentity(phone, userId, now);
    const result = await deps.recycled.takeOver({
      challengeHash,
      now,
      previousUserId: held.userId,
      user,
      identity,
      session: started.session,
      event: started.event,
      previousEvent: auditEvent(deps.crypto, {
        userId: held.userId,
        type: 'identity.unlinked',
        now,
        client,
        detail: { type: 'phone', reason: 'number_taken_over' },
      }),
    });
    if (result === 'gone') throw new InvalidCodeError();
    return {
      ...(await grantSession(deps, started, { user: toUserView(user, [identity]) })),
      isNewUser: true,
    };
  };
}
