/**
 * Apple's token endpoints (Sign in with Apple REST API), authenticated with a client secret we
 * sign ourselves. Throws ProviderRejectedError when Apple refuses the code (`invalid_grant`),
 * ProviderUnavailableError when Apple is down, slow or refuses our client authentication.
 */
export interface AppleTokens {
  /**
   * `POST /auth/token` with `grant_type=authorization_code`: the code the app got from the Sign in
   * with Apple SDK (single use, five minutes) for the user's refresh token.
   */
  exchangeCode(input: { code: string; clientId: string }): Promise<{ subject: string; refreshToken: string }>;
  /** `POST /auth/revoke` of a refresh token: the user's authorization for our app ends. */
  revoke(input: { refreshToken: string; clientId: string }): Promise<void>;
}
