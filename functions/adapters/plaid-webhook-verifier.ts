import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { WebhookRejectedError } from '../domain/errors';
import type { PlaidGateway } from '../domain/ports/plaid-gateway';
import type { WebhookVerifier } from '../domain/ports/webhook-verifier';

/** Plaid's signatures may be at most this old (Plaid's guidance: 5 minutes). */
const MAX_AGE_SECONDS = 5 * 60;
/** Clocks disagree a little. */
const SKEW_SECONDS = 5;
/** An unknown kid is looked up at most this often, so forged kids cannot make us hammer Plaid. */
const UNKNOWN_KID_RETRY_MS = 60_000;

/**
 * Verifies Plaid's `Plaid-Verification` header as Plaid documents it: a JWT whose header must say
 * `alg: ES256` (anything else is refused before any key is looked up), whose `kid` names a key
 * from `/webhook_verification_key/get` (cached by kid; fetched for an unknown kid; refused if
 * `expired_at` is set), whose `iat` is at most 5 minutes old, and whose `request_body_sha256`
 * equals, in constant time, the SHA-256 of the raw body exactly as received.
 *
 * @example
 * await verifier.verify(headers['plaid-verification'], rawBody, clock.now());
 */
export class PlaidWebhookVerifier implements WebhookVerifier {
  private readonly keys = new Map<
    string,
    Promise<{ key: Awaited<ReturnType<typeof importJWK>>; expired: boolean }>
  >();
  private readonly misses = new Map<string, number>();

  constructor(private readonly plaid: Pick<PlaidGateway, 'webhookVerificationKey'>) {}

  async verify(token: string | undefined, rawBody: string, now: Date): Promise<{ issuedAt: Date }> {
    if (token === undefined || token === '') throw new WebhookRejectedError('no Plaid-Verification header');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new WebhookRejectedError('the header is not a JWT');
    }
    if (header.alg !== 'ES256') throw new WebhookRejectedError(`alg ${String(header.alg)} refused`);
    if (typeof header.kid !== 'string' || header.kid === '') throw new WebhookRejectedError('no kid');

    const { key, expired } = await this.keyFor(header.kid, now);
    if (expired) throw new WebhookRejectedError('the key has expired');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['ES256'],
        maxTokenAge: MAX_AGE_SECONDS,
        clockTolerance: SKEW_SECONDS,
        currentDate: now,
        requiredClaims: ['iat'],
      }));
    } catch (error) {
      throw new WebhookRejectedError(
        `signature or age refused (${(error as { code?: string }).code ?? 'invalid'})`,
      );
    }
    const claimed = Buffer.from(String(payload.request_body_sha256 ?? ''), 'utf8');
    const actual = Buffer.from(createHash('sha256').update(rawBody, 'utf8').digest('hex'), 'utf8');
    if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) {
      throw new WebhookRejectedError('the body does not match its signature');
    }
    return { issuedAt: new Date(Number(payload.iat) * 1000) };
  }

  private keyFor(kid: string, now: Date) {
    const cached = this.keys.get(kid);
    if (cached !== undefined) return cached;
    const missedAt = this.misses.get(kid);
    if (missedAt !== undefined && now.getTime() - missedAt < UNKNOWN_KID_RETRY_MS) {
      return Promise.reject(new WebhookRejectedError('unknown kid'));
    }
    const loading = this.plaid.webhookVerificationKey(kid).then(
      async ({ jwk, expiredAt }) => ({
        key: await importJWK(jwk as JWK, 'ES256'),
        expired: expiredAt !== null,
      }),
      () => {
        this.keys.delete(kid);
        this.misses.set(kid, now.getTime());
        throw new WebhookRejectedError('unknown kid');
      },
    );
    this.keys.set(kid, loading);
    return loading;
  }
}
