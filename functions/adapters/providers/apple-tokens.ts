import { decodeJwt, importPKCS8, SignJWT } from 'jose';
import { ProviderRejectedError, ProviderUnavailableError, SecretInvalidError } from '../../domain/errors';
import type { AppleTokens } from '../../domain/ports/apple-tokens';
import { type Lazy, lazy } from '../lazy';

/** The audience Apple requires in a client secret (Token validation, "Creating the client secret"). */
const APPLE_AUDIENCE = 'https://appleid.apple.com';
/**
 * How long our client secrets live. Apple accepts up to 15777000 s (6 months); a secret is signed
 * for each call and never stored, so minutes are plenty and a leaked one is soon worthless.
 */
const CLIENT_SECRET_SECONDS = 300;

export interface AppleTokenSettings {
  baseUrl: string;
  teamId: string;
  keyId: string;
  /** The `.p8` key (PKCS#8 PEM), read on first use. */
  privateKey: Lazy<string>;
  timeoutMs: number;
  now: () => Date;
}

/**
 * Sign in with Apple's `/auth/token` and `/auth/revoke`, form-encoded as Apple requires, each call
 * authenticated with a fresh ES256 client secret (`iss` team id, `sub` client id, `aud` Apple,
 * `kid` our key id) signed in-process with our key. Apple's refresh token is the one thing kept:
 * it is what account deletion revokes.
 *
 * @example
 * const { subject, refreshToken } = await apple.exchangeCode({ code, clientId: 'com.example.app' });
 */
export class AppleTokenClient implements AppleTokens {
  private readonly key: Lazy<Awaited<ReturnType<typeof importPKCS8>>>;

  constructor(private readonly settings: AppleTokenSettings) {
    this.key = lazy(async () => {
      try {
        return await importPKCS8(await settings.privateKey(), 'ES256');
      } catch (error) {
        if (error instanceof SecretInvalidError) throw error;
        throw new SecretInvalidError('The Apple key is not an ES256 PKCS#8 private key (.p8).');
      }
    });
  }

  async exchangeCode(input: { code: string; clientId: string }) {
    const body = await this.post('/auth/token', input.clientId, {
      grant_type: 'authorization_code',
      code: input.code,
    });
    const refreshToken = body.refresh_token;
    const idToken = body.id_token;
    if (typeof refreshToken !== 'string' || typeof idToken !== 'string')
      throw new ProviderUnavailableError(
        'Apple',
        new Error('token response without refresh_token or id_token'),
      );
    // Received straight from Apple over TLS: its claims are Apple's (OpenID Connect Core §3.1.3.7).
    let subject: unknown;
    try {
      subject = decodeJwt(idToken).sub;
    } catch (error) {
      throw new ProviderUnavailableError('Apple', error);
    }
    if (typeof subject !== 'string')
      throw new ProviderUnavailableError('Apple', new Error('id_token without sub'));
    return { subject, refreshToken };
  }

  async revoke(input: { refreshToken: string; clientId: string }): Promise<void> {
    await this.post('/auth/revoke', input.clientId, {
      token: input.refreshToken,
      token_type_hint: 'refresh_token',
    });
  }

  private async clientSecret(clientId: string): Promise<string> {
    const now = Math.floor(this.settings.now().getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.settings.keyId })
      .setIssuer(this.settings.teamId)
      .setSubject(clientId)
      .setAudience(APPLE_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + CLIENT_SECRET_SECONDS)
      .sign(await this.key());
  }

  /** POSTs a form to Apple; Apple's `{error}` answers become domain errors, never logged with the form. */
  private async post(path: string, clientId: string, fields: Record<string, string>) {
    const form = new URLSearchParams({
      client_id: clientId,
      client_secret: await this.clientSecret(clientId),
      ...fields,
    });
    const base = this.settings.baseUrl.endsWith('/') ? this.settings.baseUrl : `${this.settings.baseUrl}/`;
    let response: Response;
    try {
      response = await fetch(new URL(path.slice(1), base), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      throw new ProviderUnavailableError('Apple', error instanceof Error ? new Error(error.name) : undefined);
    }
    const text = await response.text().catch(() => '');
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      throw new ProviderUnavailableError('Apple', new Error(`HTTP ${response.status}, not JSON`));
    }
    if (response.ok) return body;
    const error = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    // A refused code or token is the user's; anything else (invalid_client: our key, team or
    // client id; a 5xx) is ours or Apple's, and worth a retry or an operator's look.
    if (error === 'invalid_grant') throw new ProviderRejectedError('Apple refused the authorization code.');
    throw new ProviderUnavailableError('Apple', new Error(`Apple ${path}: ${error}`));
  }
}
