import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { AppleNotificationRejectedError, ProviderUnavailableError } from '../../domain/errors';
import type {
  AppleAccountEvent,
  AppleNotificationVerifier,
} from '../../domain/ports/apple-notification-verifier';

const EVENT_TYPES = new Set<string>(['email-disabled', 'email-enabled', 'consent-revoked', 'account-delete']);

/**
 * Sign in with Apple's server-to-server notifications ("Processing changes for Sign in with Apple
 * accounts"): the body's `payload` is a JWS signed with the keys of Apple's JWKS (the id_token
 * keys), `iss` Apple, `aud` our client id; its `events` claim is a JSON string (or object)
 * `{type, sub, event_time, email?, is_private_email?}`. Apple also spells the deletion event
 * `account-deleted` in places: both are read as `account-delete`.
 *
 * @example
 * const event = await new JoseAppleNotificationVerifier(settings).verify(body.payload);
 */
export class JoseAppleNotificationVerifier implements AppleNotificationVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly settings: {
      issuers: string[];
      jwksUrl: string;
      audiences: string[];
      timeoutMs: number;
      jwksCooldownMs: number;
    },
  ) {
    this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: settings.timeoutMs,
      cooldownDuration: settings.jwksCooldownMs,
      cacheMaxAge: 24 * 3600_000,
    });
  }

  async verify(payload: string): Promise<AppleAccountEvent | undefined> {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(payload, this.jwks, {
        algorithms: ['RS256', 'ES256'],
        issuer: this.settings.issuers,
        audience: this.settings.audiences,
        requiredClaims: ['iat', 'events'],
      }));
    } catch (error) {
      if (
        error instanceof errors.JWKSTimeout ||
        (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC')
      )
        throw new ProviderUnavailableError('Apple', error);
      if (error instanceof errors.JOSEError || error instanceof TypeError)
        throw new AppleNotificationRejectedError(
          error instanceof errors.JOSEError ? error.code : 'malformed JWT',
        );
      throw new ProviderUnavailableError('Apple', error);
    }
    let events: unknown = claims.events;
    if (typeof events === 'string') {
      try {
        events = JSON.parse(events);
      } catch {
        throw new AppleNotificationRejectedError('events is not JSON');
      }
    }
    const event = (Array.isArray(events) ? events[0] : events) as Record<string, unknown> | undefined;
    if (
      typeof event !== 'object' ||
      event === null ||
      typeof event.sub !== 'string' ||
      typeof event.type !== 'string'
    )
      throw new AppleNotificationRejectedError('events has no type and sub');
    const type = event.type === 'account-deleted' ? 'account-delete' : event.type;
    if (!EVENT_TYPES.has(type)) return undefined;
    return {
      type: type as AppleAccountEvent['type'],
      subject: event.sub,
      ...(typeof event.email === 'string' ? { email: event.email } : {}),
    };
  }
}
