import type { Clock } from './clock';
import { ProviderRejectedError } from './errors';
import type { UsedCredentialStore } from './ports/used-credential-store';
import type { IdentityProviders, ProviderProfile, SocialCredential } from './social-credentials';

/**
 * Wraps the providers so that a credential that can be replayed (an Apple or Google id_token,
 * valid for minutes) is accepted once: after it verifies, its `replayKey` is claimed until the
 * token expires; a second presentation is 401 `PROVIDER_REJECTED`, whichever route it reaches
 * (sign-in, linking, re-authentication). Credentials the provider itself consumes (WeChat's
 * code) or checks live (QQ's token) carry no key and pass through.
 *
 * @example
 * const providers = singleUseCredentials(router, { used, clock });
 * await providers.verify({ provider: 'google', idToken, nonce }); // a replay throws
 */
export function singleUseCredentials(
  providers: IdentityProviders,
  deps: { used: UsedCredentialStore; clock: Clock },
): IdentityProviders {
  return {
    async verify(credential: SocialCredential): Promise<ProviderProfile> {
      const profile = await providers.verify(credential);
      if (profile.replayKey === undefined) return profile;
      const first = await deps.used.claim({
        key: profile.replayKey.key,
        expiresAt: profile.replayKey.expiresAt,
        now: deps.clock.now(),
      });
      if (!first)
        throw new ProviderRejectedError('the id_token was already used; sign in with the provider again.');
      const { replayKey: _key, ...rest } = profile;
      return rest;
    },
  };
}
