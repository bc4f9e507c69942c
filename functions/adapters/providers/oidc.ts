import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import {
  ProviderNotConfiguredError,
  ProviderRejectedError,
  ProviderUnavailableError,
} from '../../domain/errors';
import type { ProviderProfile } from '../../domain/social-credentials';

export interface OidcSettings {
  provider: 'apple' | 'google';
  /** Issuers the provider signs as (Google uses two spellings). */
  issuers: string[];
  jwksUrl: string;
  /** Our client ids: the token's `aud` must be one of them. */
  audiences: string[];
  timeoutMs: number;
  /** How long after a refetch an unknown `kid` may trigger another. */
  jwksCooldownMs: number;
}

/**
 * Verifies an OpenID Connect id_token (Sign in with Apple, Google) against the provider's JWKS:
 * RS256/ES256 only, issuer, audience = one of our client ids, expiry, and the nonce — the token
 * carries the SHA-256 (hex) of the raw nonce the app generated, which the app sends beside it.
 * The JWKS is cached and fetched again when a token names an unknown `kid` (key rotation).
 *
 * @example
 * const profile = await new OidcVerifier(settings).verify({ idToken, nonce });
 */
export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: OidcSettings) {
    this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: settings.timeoutMs,
      cooldownDuration: settings.jwksCooldownMs,
      cacheMaxAge: 24 * 3600_000,
    });
  }

  async verify(credential: { idToken: string; nonce: string }): Promise<ProviderProfile> {
    if (this.settings.audiences.length === 0) throw new ProviderNotConfiguredError(this.settings.provider);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(credential.idToken, this.jwks, {
        algorithms: ['RS256', 'ES256'],
        issuer: this.settings.issuers,
        audience: this.settings.audiences,
        requiredClaims: ['sub', 'exp', 'iat', 'nonce'],
      }));
    } catch (error) {
      if (
        error instanceof errors.JWKSTimeout ||
        (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
      ) {
        throw new ProviderUnavailableError(this.settings.provider, error);
      }
      if (error instanceof errors.JOSEError || error instanceof TypeError) {
        const code = error instanceof errors.JOSEError ? error.code : 'ERR_MALFORMED';
        throw new ProviderRejectedError(`the id_token was refused (${code}).`, error);
      }
      // A JWKS fetch that failed outright (network, 5xx, not JSON).
      throw new ProviderUnavailableError(this.settings.provider, error);
    }
    const expected = Buffer.from(createHash('sha256').update(credential.nonce, 'utf8').digest('hex'));
    const actual = Buffer.from(String(payload.nonce));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new ProviderRejectedError('the id_token was issued for another nonce.');
    }
    const name = typeof payload.name === 'string' ? payload.name : undefined;
    // What makes this token one token: its jti when the provider sets one (Google), else its
    // issue time and nonce (a fresh nonce per sign-in). Never its bytes: an ES256 signature can
    // be re-encoded into a second valid one.
    const unique =
      typeof payload.jti === 'string' ? `jti:${payload.jti}` : `iat:${payload.iat}:${payload.nonce}`;
    const replayKey = createHash('sha256')
      .update([this.settings.provider, String(payload.iss), String(payload.sub), unique].join('\n'))
      .digest('base64url');
    const audience = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    return {
      provider: this.settings.provider,
      subject: String(payload.sub),
      replayKey: { key: replayKey, expiresAt: new Date(Number(payload.exp) * 1000) },
      ...(name === undefined ? {} : { nickname: name }),
      ...(typeof payload.picture === 'string' ? { avatarUrl: payload.picture } : {}),
      ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      ...(typeof audience === 'string' ? { clientId: audience } : {}),
    };
  }
}
