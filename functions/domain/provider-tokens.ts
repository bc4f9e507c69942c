import { ProviderRejectedError, ValidationFailedError } from './errors';
import type { IdentityRecord, ProviderToken } from './model';
import type { AccessTokenCipher } from './ports/access-token-cipher';
import type { AppleTokens } from './ports/apple-tokens';
import type { ProviderProfile, SocialCredential } from './social-credentials';

/** What keeping Apple's refresh token needs; absent when no Apple key is configured. */
export interface AppleTokenDeps {
  tokens: AppleTokens;
  cipher: AccessTokenCipher;
}

/** The associated data an Apple token is sealed with: a ciphertext moved to another identity does not open. */
export const providerTokenContext = (type: IdentityRecord['type'], subject: string) => `${type}:${subject}`;

/**
 * For Sign in with Apple, exchanges the app's authorization code at Apple and returns the refresh
 * token Apple issued, encrypted: account deletion must revoke it (App Store Review Guideline
 * 5.1.1(v)). The code must belong to the same Apple user as the id_token. Other providers, and
 * deployments without an Apple key, keep nothing.
 *
 * @example
 * const providerToken = await obtainProviderToken(apple, credential, profile); // { ciphertext, clientId }
 */
export async function obtainProviderToken(
  apple: AppleTokenDeps | undefined,
  credential: SocialCredential,
  profile: ProviderProfile,
): Promise<ProviderToken | undefined> {
  if (apple === undefined || credential.provider !== 'apple') return undefined;
  if (credential.authorizationCode === undefined)
    throw new ValidationFailedError([
      { path: 'authorizationCode', message: "Required for apple: the SDK's authorizationCode." },
    ]);
  const clientId = profile.clientId ?? '';
  const { subject, refreshToken } = await apple.tokens.exchangeCode({
    code: credential.authorizationCode,
    clientId,
  });
  if (subject !== profile.subject)
    throw new ProviderRejectedError('the authorization code belongs to another Apple user.');
  return {
    ciphertext: await apple.cipher.encrypt(
      refreshToken,
      providerTokenContext(profile.provider, profile.subject),
    ),
    clientId,
  };
}
