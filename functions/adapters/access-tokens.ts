import { createLocalJWKSet, errors, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import { ACCESS_TOKEN_CLOCK_SKEW_SECONDS } from '../domain/access-token-policy';
import { InvalidTokenError, SecretInvalidError } from '../domain/errors';
import type { AccessTokenSigner } from '../domain/ports/access-token-signer';
import { type Lazy, lazy } from './lazy';
import type { PublicKeySet } from './public-keys';
import { publicJwk, type SigningKeySet } from './signing-keys';

type SigningKeyObject = Awaited<ReturnType<typeof importJWK>>;

/** What every access token says about itself. */
export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  /** The OAuth client the tokens are issued to: the mobile app (RFC 9068 §2.2 `client_id`). */
  clientId: string;
  ttlSeconds: number;
}

/** The media type of access tokens, RFC 9068 §2.1. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/**
 * Signs access tokens with the newest key of the set (ES256, `typ: at+jwt`, RFC 9068 claims).
 *
 * @example
 * const signer = new JoseAccessTokenSigner(() => loadKeys(), { issuer, audience, clientId, ttlSeconds: 900 });
 * const { token } = await signer.sign({ userId, sessionId, now });
 */
export class JoseAccessTokenSigner implements AccessTokenSigner {
  /** The newest key, imported once; a failed key load is tried again by the next sign-in. */
  private readonly key: Lazy<{ kid: string; privateKey: SigningKeyObject }>;

  constructor(
    keySet: Lazy<SigningKeySet>,
    private readonly settings: AccessTokenSettings,
  ) {
    this.key = lazy(async () => {
      const set = await keySet();
      const newest = set.keys[0];
      if (newest === undefined) throw new SecretInvalidError('No signing key.');
      return { kid: newest.kid, privateKey: await importJWK(newest.privateJwk, 'ES256') };
    });
  }

  async sign(input: {
    userId: string;
    sessionId: string;
    now: Date;
    authTime: Date;
  }): Promise<{ token: string; expiresIn: number }> {
    const { kid, privateKey } = await this.key();
    const issuedAt = Math.floor(input.now.getTime() / 1000);
    const token = await new SignJWT({
      sid: input.sessionId,
      client_id: this.settings.clientId,
      auth_time: Math.min(Math.floor(input.authTime.getTime() / 1000), issuedAt),
    })
      .setProtectedHeader({ alg: 'ES256', typ: ACCESS_TOKEN_TYP, kid })
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setSubject(input.userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.settings.ttlSeconds)
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    return { token, expiresIn: this.settings.ttlSeconds };
  }
}

/** Who an access token speaks for. */
export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  /**
   * The `auth_time` claim, in epoch seconds: when the user last proved a way in. Absent from
   * tokens signed before the claim existed; sensitive routes then ask for a new authentication.
   */
  authTime?: number;
}

export { ACCESS_TOKEN_CLOCK_SKEW_SECONDS };

/**
 * Builds the verifier the authorizer uses: ES256 only, known `kid` only, and `iss`, `aud`,
 * `typ`, `exp` all checked; a token whose `exp - iat` exceeds the configured lifetime, or whose
 * `iat` is later than now by more than {@link ACCESS_TOKEN_CLOCK_SKEW_SECONDS}, is refused too
 * (a key that signed such a token was misused). It makes no network or database call. Every failure is an
 * {@link InvalidTokenError} whose message names the jose error code, never the token.
 *
 * @example
 * const verify = accessTokenVerifier(publicKeySet, settings);
 * const { userId } = await verify(token, new Date());
 */
export function accessTokenVerifier(
  keySet: PublicKeySet | SigningKeySet,
  settings: Pick<AccessTokenSettings, 'issuer' | 'audience' | 'ttlSeconds'>,
) {
  // Only public halves ever reach the verifier, whichever set it was given.
  const keys = keySet.keys.map((key) => ('privateJwk' in key ? publicJwk(key) : key));
  const jwks = createLocalJWKSet({ keys: keys as JWK[] });
  return async (token: string, now: Date): Promise<AccessTokenSubject> => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: ['ES256'],
        issuer: settings.issuer,
        audience: settings.audience,
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
        currentDate: now,
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
        throw new InvalidTokenError('The access token has no subject or session.');
      }
      const iat = payload.iat as number;
      if ((payload.exp as number) - iat > settings.ttlSeconds) {
        throw new InvalidTokenError('The access token lives longer than access tokens are issued for.');
      }
      if (iat > now.getTime() / 1000 + ACCESS_TOKEN_CLOCK_SKEW_SECONDS) {
        throw new InvalidTokenError('The access token was issued in the future.');
      }
      const authTime = payload.auth_time;
      if (authTime === undefined) return { userId: payload.sub, sessionId: payload.sid };
      if (typeof authTime !== 'number' || !Number.isInteger(authTime) || authTime > iat) {
        throw new InvalidTokenError('The access token has a malformed auth_time.');
      }
      return { userId: payload.sub, sessionId: payload.sid, authTime };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      const code = error instanceof errors.JOSEError ? error.code : 'ERR_UNKNOWN';
      throw new InvalidTokenError(`The access token was refused (${code}).`, error);
    }
  };
}
