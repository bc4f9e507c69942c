import { exportPKCS8, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type EmulatorHandler, type EmulatorRequest, type EmulatorResponse, token } from './http-kit';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** The Apple developer account the emulator stands for: what the developer portal would show. */
export const EMULATED_APPLE_TEAM = { teamId: 'LGTEAM0001', keyId: 'LGKEY00001' } as const;

/** Apple's audience for client secrets (Token validation: "aud … https://appleid.apple.com"). */
const CLIENT_SECRET_AUDIENCE = 'https://appleid.apple.com';
/** Apple refuses a client secret whose `exp` is more than 15777000 s (6 months) after now. */
const CLIENT_SECRET_MAX_SECONDS = 15_777_000;
/** "The code is single-use only and valid for five minutes" (Token validation, `code`). */
const AUTHORIZATION_CODE_SECONDS = 300;
/** Apple's access tokens live an hour (TokenResponse `expires_in`: 3600). */
const ACCESS_TOKEN_SECONDS = 3600;

/** The server-to-server event types Apple documents (Processing changes for Sign in with Apple accounts). */
export const APPLE_EVENT_TYPES = [
  'email-disabled',
  'email-enabled',
  'consent-revoked',
  'account-delete',
] as const;
export type AppleEventType = (typeof APPLE_EVENT_TYPES)[number];

/** One revocation Apple recorded at `/auth/revoke`. */
export interface AppleRevocation {
  sub: string;
  clientId: string;
  tokenTypeHint: 'refresh_token' | 'access_token';
  revokedAt: string;
}

interface Grant {
  sub: string;
  clientId: string;
  email?: string;
  revoked: boolean;
}

/**
 * Sign in with Apple's server side, as documented in the Sign in with Apple REST API:
 *
 * - `POST /auth/token` (Token validation): form-encoded only; `client_secret` is an ES256 JWT
 *   signed with the developer's key (`kid` = its key id), `iss` = team id, `sub` = `client_id`,
 *   `aud` = `https://appleid.apple.com`, `exp` no more than 15777000 s ahead; anything else is
 *   `400 {"error":"invalid_client"}`. An authorization code is single use and valid five
 *   minutes, else `invalid_grant`. Answers `{access_token, token_type, expires_in, refresh_token,
 *   id_token}`; a `refresh_token` grant answers no new refresh token.
 * - `POST /auth/revoke` (Token revocation): same client authentication; a token that is unknown
 *   or already revoked still answers 200 (Apple does not say which tokens exist). Revoking a
 *   refresh token ends the user's authorization: its tokens stop working.
 * - Server-to-server notifications (Processing changes for Sign in with Apple accounts): a JSON
 *   body `{payload}` whose payload is a JWT signed with Apple's id_token keys, `iss` Apple,
 *   `aud` the client id, and `events` a JSON *string* `{type, sub, event_time, email?,
 *   is_private_email?}`. `consent-revoked` and `account-delete` end the user's authorization.
 *
 * Control endpoints: `GET /emulator/oidc/apple/revocations`, `POST /emulator/oidc/apple/notify
 * {sub, type, email?}` (signs the notification and POSTs it to the notification URL, answering
 * what the API answered).
 */
export async function appleServer(options: {
  clientId: string;
  issuer: string;
  now: () => Date;
  /** Apple's current id_token signing key (the same JWKS signs notifications). */
  signingKey: () => { kid: string; privateKey: PrivateKey };
  /** A fault set for Apple (`/emulator/faults`), or undefined. */
  faulty: () => Promise<EmulatorResponse | undefined>;
}) {
  // The developer's "Sign in with Apple" key: Apple generates it, the developer downloads the .p8.
  const developerKey = await generateKeyPair('ES256', { extractable: true });
  const developerKeyPem = await exportPKCS8(developerKey.privateKey);
  const codes = new Map<string, Grant & { issuedAt: number; used: boolean }>();
  const refreshTokens = new Map<string, Grant>();
  const accessTokens = new Map<string, Grant & { refreshToken?: string; expiresAt: number }>();
  const revocations: AppleRevocation[] = [];
  let notificationUrl: string | undefined;
  const seconds = () => Math.floor(options.now().getTime() / 1000);
  const oauthError = (error: string, status = 400): EmulatorResponse => ({ status, body: { error } });

  /** The client authentication of Token validation and Token revocation. */
  const authenticateClient = async (body: Record<string, unknown>): Promise<string | undefined> => {
    const clientId = body.client_id;
    const secret = body.client_secret;
    if (typeof clientId !== 'string' || clientId !== options.clientId || typeof secret !== 'string')
      return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(secret, developerKey.publicKey, {
        algorithms: ['ES256'],
        issuer: EMULATED_APPLE_TEAM.teamId,
        audience: CLIENT_SECRET_AUDIENCE,
        subject: clientId,
        requiredClaims: ['iat', 'exp'],
        currentDate: options.now(),
        clockTolerance: 5,
      }).then(async (verified) => {
        if (verified.protectedHeader.kid !== EMULATED_APPLE_TEAM.keyId) throw new Error('kid');
        return verified;
      }));
    } catch {
      return undefined;
    }
    if ((payload.exp ?? 0) > seconds() + CLIENT_SECRET_MAX_SECONDS) return undefined;
    return clientId;
  };

  const idToken = async (grant: Grant) => {
    const key = options.signingKey();
    const now = seconds();
    return new SignJWT({
      ...(grant.email === undefined ? {} : { email: grant.email, email_verified: true }),
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(options.issuer)
      .setAudience(grant.clientId)
      .setSubject(grant.sub)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key.privateKey);
  };

  const issueAccessToken = (grant: Grant, refreshToken?: string) => {
    const accessToken = `a${token(24)}`;
    accessTokens.set(accessToken, {
      ...grant,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      expiresAt: seconds() + ACCESS_TOKEN_SECONDS,
    });
    return accessToken;
  };

  const endAuthorization = (sub: string) => {
    for (const grant of [...refreshTokens.values(), ...accessTokens.values()])
      if (grant.sub === sub) grant.revoked = true;
  };

  const formOnly = (request: EmulatorRequest) =>
    String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

  const tokenEndpoint = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    if (!formOnly(request)) return oauthError('invalid_request');
    const { body } = request;
    const clientId = await authenticateClient(body);
    if (clientId === undefined) return oauthError('invalid_client');
    if (body.grant_type === 'authorization_code') {
      if (typeof body.code !== 'string') return oauthError('invalid_request');
      const code = codes.get(body.code);
      if (
        code === undefined ||
        code.used ||
        code.clientId !== clientId ||
        seconds() - code.issuedAt > AUTHORIZATION_CODE_SECONDS
      )
        return oauthError('invalid_grant');
      code.used = true;
      const grant: Grant = {
        sub: code.sub,
        clientId,
        revoked: false,
        ...(code.email === undefined ? {} : { email: code.email }),
      };
      const refreshToken = `r${token(24)}`;
      refreshTokens.set(refreshToken, grant);
      return {
        status: 200,
        body: {
          access_token: issueAccessToken(grant, refreshToken),
          token_type: 'Bearer',
          expires_in: ACCESS_TOKEN_SECONDS,
          refresh_token: refreshToken,
          id_token: await idToken(grant),
        },
      };
    }
    if (body.grant_type === 'refresh_token') {
      const grant =
        typeof body.refresh_token === 'string' ? refreshTokens.get(body.refresh_token) : undefined;
      if (grant === undefined || grant.revoked || grant.clientId !== clientId)
        return oauthError('invalid_grant');
      return {
        status: 200,
        body: {
          access_token: issueAccessToken(grant),
          token_type: 'Bearer',
          expires_in: ACCESS_TOKEN_SECONDS,
          id_token: await idToken(grant),
        },
      };
    }
    return oauthError(body.grant_type === undefined ? 'invalid_request' : 'unsupported_grant_type');
  };

  const revokeEndpoint = async (request: EmulatorRequest): Promise<EmulatorResponse> => {
    if (!formOnly(request)) return oauthError('invalid_request');
    const { body } = request;
    const clientId = await authenticateClient(body);
    if (clientId === undefined) return oauthError('invalid_client');
    if (typeof body.token !== 'string' || body.token === '') return oauthError('invalid_request');
    const hint = body.token_type_hint === 'access_token' ? 'access_token' : 'refresh_token';
    const grant = refreshTokens.get(body.token) ?? accessTokens.get(body.token);
    if (grant !== undefined && grant.clientId === clientId && !grant.revoked) {
      if (refreshTokens.has(body.token)) endAuthorization(grant.sub);
      else grant.revoked = true;
      revocations.push({
        sub: grant.sub,
        clientId,
        tokenTypeHint: hint,
        revokedAt: options.now().toISOString(),
      });
    }
    return { status: 200, body: {} };
  };

  const notify = async (body: Record<string, unknown>): Promise<EmulatorResponse> => {
    const type = body.type as AppleEventType;
    if (typeof body.sub !== 'string' || !APPLE_EVENT_TYPES.includes(type))
      return { status: 400, body: { error: `sub and type (${APPLE_EVENT_TYPES.join(', ')}) are required` } };
    const url = typeof body.url === 'string' ? body.url : notificationUrl;
    if (url === undefined) return { status: 409, body: { error: 'no notification URL is registered' } };
    if (type === 'consent-revoked' || type === 'account-delete') endAuthorization(body.sub);
    const key = options.signingKey();
    const now = seconds();
    const payload = await new SignJWT({
      events: JSON.stringify({
        type,
        sub: body.sub,
        event_time: options.now().getTime(),
        ...(typeof body.email === 'string'
          ? { email: body.email, is_private_email: String(body.isPrivateEmail ?? true) }
          : {}),
      }),
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(options.issuer)
      .setAudience(options.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + 86_400)
      .setJti(token(12))
      .sign(key.privateKey);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload }),
    });
    const text = await response.text();
    return { status: 200, body: { delivered: response.status, response: text === '' ? null : text } };
  };

  const handler: EmulatorHandler = async (request) => {
    const { method, path, body } = request;
    if (method === 'POST' && (path === '/auth/token' || path === '/auth/revoke')) {
      const down = await options.faulty();
      if (down) return down;
      return path === '/auth/token' ? tokenEndpoint(request) : revokeEndpoint(request);
    }
    if (method === 'GET' && path === '/emulator/oidc/apple/revocations') {
      const sub = request.query.get('sub');
      return { status: 200, body: { revocations: revocations.filter((r) => sub === null || r.sub === sub) } };
    }
    if (method === 'POST' && path === '/emulator/oidc/apple/notify') return notify(body);
    return undefined;
  };

  return {
    handler,
    /** A one-time authorization code for `sub`, as the Sign in with Apple SDK hands the app. */
    authorizationCode(sub: string, email?: string): string {
      const code = `c${token(16)}.0.${token(4)}`;
      codes.set(code, {
        sub,
        clientId: options.clientId,
        issuedAt: seconds(),
        used: false,
        revoked: false,
        ...(email === undefined ? {} : { email }),
      });
      return code;
    },
    /** Where notifications go (the URL registered in the developer portal). */
    setNotificationUrl(url: string) {
      notificationUrl = url;
    },
    revocations: () => [...revocations],
    /** The API's settings for this Apple account: team, key id and the downloaded key. */
    environment: (baseUrl: string): Record<string, string> => ({
      APPLE_BASE_URL: baseUrl,
      APPLE_TEAM_ID: EMULATED_APPLE_TEAM.teamId,
      APPLE_KEY_ID: EMULATED_APPLE_TEAM.keyId,
      APPLE_PRIVATE_KEY: developerKeyPem,
    }),
  };
}
