import { addSeconds, type Clock } from './clock';
import { IdentityInUseError, IdentityTypeTakenError, InvalidGrantError, NotFoundError } from './errors';
import { maskUsername } from './labels';
import {
  type ClientInfo,
  type IdentityRecord,
  type ProviderToken,
  type SocialProvider,
  type TokenGrant,
  toUserView,
  type UserView,
} from './model';
import { newUser } from './new-user';
import { s256 } from './pkce';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from './ports/authorization-code-store';
import type { SecurityNotifier } from './ports/security-notifier';
import type { SessionStore } from './ports/session-store';
import type { SocialIdentityStore } from './ports/social-identity-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { type AppleTokenDeps, obtainProviderToken } from './provider-tokens';
import { verifiedPhone } from './security-notices';
import { auditEvent, grantSession, sessionStarter, startSession } from './session-issuer';
import type { SessionPolicy } from './session-policy';
import type { IdentityProviders, ProviderProfile, SocialCredential } from './social-credentials';

/** How long a one-time authorization code works (RFC 6749 §4.1.2 recommends at most 10 minutes). */
export const AUTHORIZATION_CODE_SECONDS = 60;

export interface SocialSignInDeps {
  clock: Clock;
  crypto: TokenCrypto;
  providers: IdentityProviders;
  identities: SocialIdentityStore;
  codes: AuthorizationCodeStore;
  /** Set when our Apple key is configured: Apple sign-ins then keep Apple's refresh token. */
  apple?: AppleTokenDeps;
}

const PROVIDER_NAMES: Record<SocialProvider, string> = {
  wechat: 'WeChat',
  qq: 'QQ',
  apple: 'Apple',
  google: 'Google',
};

function identityFor(
  profile: ProviderProfile,
  userId: string,
  now: Date,
  providerToken: ProviderToken | undefined,
): IdentityRecord {
  return {
    type: profile.provider,
    subject: profile.subject,
    userId,
    label: maskUsername(profile.nickname?.trim() || profile.email || profile.subject),
    linkedAt: now.toISOString(),
    ...(providerToken === undefined ? {} : { providerToken }),
  };
}

/**
 * `POST /v1/auth/social`: verifies the provider credential, finds or creates the user (with the
 * provider's nickname and avatar) and the identity in one transaction, and answers with a
 * one-time authorization code bound to the app's PKCE S256 challenge. The code, not tokens,
 * leaves this call: the app exchanges it at `/v1/oauth/token` with its verifier.
 *
 * @example
 * const { code } = await startSocialSignIn(deps)({ credential, codeChallenge }, client);
 */
export function startSocialSignIn(deps: SocialSignInDeps) {
  const start = async (
    input: { credential: SocialCredential; codeChallenge: string },
    client: ClientInfo,
    retried = false,
    token?: ProviderToken,
  ): Promise<{ code: string; expiresIn: number; isNewUser: boolean }> => {
    const profile = await deps.providers.verify(input.credential);
    // Apple's code is single use: a retry after a lost race reuses the token it already gave.
    const providerToken = token ?? (await obtainProviderToken(deps.apple, input.credential, profile));
    const now = deps.clock.now();
    let identity = await deps.identities.findIdentity(profile.provider, profile.subject);
    const isNewUser = identity === undefined;
    if (identity === undefined) {
      const user = newUser({
        id: deps.crypto.newId('usr'),
        displayName: profile.nickname?.trim().slice(0, 64) || `${PROVIDER_NAMES[profile.provider]} user`,
        now,
        ...(profile.avatarUrl === undefined ? {} : { avatarUrl: profile.avatarUrl }),
      });
      identity = identityFor(profile, user.id, now, providerToken);
      const event = auditEvent(deps.crypto, {
        userId: user.id,
        type: 'account.registered',
        now,
        client,
        detail: { method: profile.provider },
      });
      const created = await deps.identities.createUserWithIdentity({ user, identity, event });
      // The same person signing in twice at once: the other request created them. Find them.
      if (created === 'identity_taken' && !retried) return start(input, client, true, providerToken);
      if (created !== 'created') throw new IdentityInUseError();
    } else if (providerToken !== undefined) {
      await deps.identities.saveProviderToken(identity, providerToken);
    }

    const code = deps.crypto.newSecret();
    await deps.codes.save({
      codeHash: deps.crypto.hashSecret(code),
      userId: identity.userId,
      codeChallenge: input.codeChallenge,
      createdAt: now.toISOString(),
      validUntil: addSeconds(now, AUTHORIZATION_CODE_SECONDS).toISOString(),
      isNewUser,
      startedBy: sessionStarter(deps.crypto, profile.provider, profile.subject),
    });
    return { code, expiresIn: AUTHORIZATION_CODE_SECONDS, isNewUser };
  };
  return (input: { credential: SocialCredential; codeChallenge: string }, client: ClientInfo) =>
    start(input, client);
}

export interface CodeExchangeDeps {
  clock: Clock;
  crypto: TokenCrypto;
  codes: AuthorizationCodeStore;
  sessions: SessionStore;
  users: UserDirectory;
  signer: AccessTokenSigner;
  sessionPolicy: SessionPolicy;
}

/**
 * `POST /v1/oauth/token` with `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.6):
 * the code must be unused, younger than 60 s, and the verifier's S256 must equal its challenge.
 * Redemption and the new session are one transaction, so of parallel exchanges one wins; a
 * second use of a code fails and, when it proves PKCE (the right verifier), revokes the session the
 * first one created (RFC 6749 §4.1.2); a replay without the verifier revokes nothing.
 */
export function exchangeAuthorizationCode(deps: CodeExchangeDeps) {
  return async (code: string, verifier: string, client: ClientInfo): Promise<TokenGrant> => {
    const now = deps.clock.now();
    const codeHash = deps.crypto.hashSecret(code);
    const record = await deps.codes.find(codeHash);
    if (record === undefined) throw new InvalidGrantError();
    const challenge = s256(verifier);
    const provesPkce = deps.crypto.sameHash(challenge, record.codeChallenge);
    if (record.usedAt !== undefined) {
      // Only the app that holds the verifier may end the session its code started: a thief who
      // saw the code but not the verifier must not be able to sign the user out.
      if (provesPkce) await revokeReplayed(deps, record, now, client);
      throw new InvalidGrantError('The authorization code was already used.');
    }
    if (Date.parse(record.validUntil) <= now.getTime() || !provesPkce) throw new InvalidGrantError();

    const started = startSession(
      deps,
      { userId: record.userId, now, client },
      { method: 'authorization_code', startedBy: record.startedBy },
    );
    const redeemed = await deps.codes.redeem({ codeHash, codeChallenge: challenge, now, ...started });
    if (!redeemed) {
      const after = await deps.codes.find(codeHash);
      if (after?.usedAt !== undefined) await revokeReplayed(deps, after, now, client);
      throw new InvalidGrantError('The authorization code was already used.');
    }
    const grant = await grantSession(deps, started, { missing: () => new InvalidGrantError() });
    // The account was created by the social sign-in this code finishes: its first device.
    return grant.signIn === undefined
      ? grant
      : { ...grant, signIn: { ...grant.signIn, isNewUser: record.isNewUser } };
  };
}

async function revokeReplayed(
  deps: CodeExchangeDeps,
  record: AuthorizationCodeRecord,
  now: Date,
  client: ClientInfo,
) {
  if (record.sessionId === undefined) return;
  await deps.sessions.revoke({
    userId: record.userId,
    sessionId: record.sessionId,
    reason: 'authorization_code_reuse',
    now,
    event: auditEvent(deps.crypto, {
      userId: record.userId,
      type: 'oauth.code_reused',
      now,
      client,
      sessionId: record.sessionId,
    }),
  });
}

export interface LinkSocialDeps {
  clock: Clock;
  crypto: TokenCrypto;
  providers: IdentityProviders;
  identities: SocialIdentityStore;
  users: UserDirectory;
  apple?: AppleTokenDeps;
  /** Tells the user of the new way in, once it is written. */
  notify?: SecurityNotifier;
}

/**
 * `POST /v1/me/identities/social`: links a provider identity to the signed-in user, replacing
 * their previous one of that provider. One that belongs to another account is IDENTITY_IN_USE.
 */
export function linkSocialIdentity(deps: LinkSocialDeps) {
  return async (userId: string, credential: SocialCredential, client: ClientInfo): Promise<UserView> => {
    const profile = await deps.providers.verify(credential);
    const now = deps.clock.now();
    const existing = await deps.identities.findIdentity(profile.provider, profile.subject);
    if (existing !== undefined && existing.userId !== userId) throw new IdentityInUseError();
    const providerToken = await obtainProviderToken(deps.apple, credential, profile);
    if (existing !== undefined && providerToken !== undefined)
      await deps.identities.saveProviderToken(existing, providerToken);
    if (existing === undefined) {
      const found = await deps.users.getUser(userId);
      if (found === undefined) throw new NotFoundError('No such user.');
      const event = auditEvent(deps.crypto, {
        userId,
        type: 'identity.linked',
        now,
        client,
        detail: { type: profile.provider },
      });
      const result = await deps.identities.linkIdentity({
        identity: identityFor(profile, userId, now, providerToken),
        replaced: found.identities.find((i) => i.type === profile.provider),
        event,
      });
      if (result === 'identity_taken') throw new IdentityInUseError();
      if (result === 'type_taken') throw new IdentityTypeTakenError();
      await deps.notify?.({
        eventId: event.id,
        userId,
        kind: 'identity_linked',
        subject: profile.provider,
        phone: verifiedPhone(found.identities),
      });
    }
    const view = await deps.users.getUser(userId);
    if (view === undefined) throw new NotFoundError('No such user.');
    return toUserView(view.user, view.identities);
  };
}
