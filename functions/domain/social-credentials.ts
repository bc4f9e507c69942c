import { ValidationFailedError } from './errors';
import type { SocialProvider } from './model';

/** What a mobile app hands us after the provider's SDK signed the user in. */
export type SocialCredential =
  /** WeChat's preferred path: the SDK's one-time code, exchanged server-side with our AppSecret. */
  | { provider: 'wechat'; code: string }
  /** WeChat's classic path: a token and openid the app already holds, checked with `sns/auth`. */
  | { provider: 'wechat'; accessToken: string; openId: string }
  | { provider: 'qq'; accessToken: string }
  /**
   * OIDC: the id_token and the raw nonce whose SHA-256 it must carry; for Apple also the SDK's
   * authorization code, exchanged at Apple for the refresh token account deletion revokes.
   */
  | { provider: 'google'; idToken: string; nonce: string }
  | { provider: 'apple'; idToken: string; nonce: string; authorizationCode?: string };

/** Who the provider says the user is. See `single-use-credentials.ts` for `replayKey`. */
export interface ProviderProfile {
  provider: SocialProvider;
  /** Stable per user: WeChat/QQ unionid when present, else openid; OIDC `sub`. */
  subject: string;
  nickname?: string;
  avatarUrl?: string;
  email?: string;
  /**
   * For a credential that stays valid for a while (an OIDC id_token): what identifies this one
   * credential (a hash of issuer, subject and `jti`, or of `iat` and nonce without one) and when
   * it expires. {@link singleUseCredentials} accepts it once.
   */
  replayKey?: { key: string; expiresAt: Date };
  /** OIDC: the client id the id_token was issued to (its `aud`). */
  clientId?: string;
}

/**
 * Verifies a credential with its provider. Throws ProviderRejectedError when the provider says
 * no, ProviderUnavailableError when it is down or slow (3 s).
 */
export interface IdentityProviders {
  verify(credential: SocialCredential): Promise<ProviderProfile>;
}

/** The fields a social sign-in or link request may carry, before we know which apply. */
export interface CredentialFields {
  provider: SocialProvider;
  code?: string | undefined;
  accessToken?: string | undefined;
  openId?: string | undefined;
  idToken?: string | undefined;
  nonce?: string | undefined;
  authorizationCode?: string | undefined;
}

/**
 * Picks the credential a provider needs out of the request fields, or says which are missing.
 *
 * @example
 * toSocialCredential({ provider: 'qq', accessToken: 't' }) // { provider: 'qq', accessToken: 't' }
 */
export function toSocialCredential(fields: CredentialFields): SocialCredential {
  const missing = (...names: string[]) =>
    new ValidationFailedError(names.map((path) => ({ path, message: `Required for ${fields.provider}.` })));
  switch (fields.provider) {
    case 'wechat':
      if (fields.code !== undefined) return { provider: 'wechat', code: fields.code };
      if (fields.accessToken !== undefined && fields.openId !== undefined) {
        return { provider: 'wechat', accessToken: fields.accessToken, openId: fields.openId };
      }
      throw new ValidationFailedError([
        { path: 'code', message: 'Send the WeChat SDK code, or accessToken and openId.' },
      ]);
    case 'qq':
      if (fields.accessToken === undefined) throw missing('accessToken');
      return { provider: 'qq', accessToken: fields.accessToken };
    case 'apple':
    case 'google':
      if (fields.idToken === undefined || fields.nonce === undefined) {
        throw missing(
          ...(fields.idToken === undefined ? ['idToken'] : []),
          ...(fields.nonce === undefined ? ['nonce'] : []),
        );
      }
      if (fields.provider === 'apple' && fields.authorizationCode !== undefined)
        return {
          provider: 'apple',
          idToken: fields.idToken,
          nonce: fields.nonce,
          authorizationCode: fields.authorizationCode,
        };
      return { provider: fields.provider, idToken: fields.idToken, nonce: fields.nonce };
  }
}
