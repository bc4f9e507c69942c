import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { PlaidRequestError, WebhookRejectedError } from '../domain/errors';
import type { PlaidGateway } from '../domain/ports/plaid-gateway';
import type { WebhookVerifier } from '../domain/ports/webhook-verifier';

/** Plaid's signatures may be at most this old (Plaid's guidance: 5 minutes). */
const MAX_AGE_SECONDS = 5 * 60;
/** Clocks disagree a little. */
const SKEW_SECONDS = 5;
/**
 * Lookups of kids we have not cached, once one of them turned out unknown, are made at most
 * this often *in total* (not per kid): a stream of forged kids costs Plaid one call a minute.
 */
export const UNKNOWN_KID_RETRY_MS = 60_000;
/** A cached key's `expired_at` is asked again after this long: Plaid may have expired it since. */
export const KEY_RECHECK_MS = 3 * 60_000;

type CachedKey = { key: Awaited<ReturnType<typeof importJWK>>; expired: boolean; checkedAt: number };

/** Plaid's answer for a kid it does not know (any other failure says nothing about the key). */
const isUnknownKid = (error: unknown) =>
  error instanceof PlaidRequestError &&
  (error.plaidCode === 'INVALID_WEBHOOK_VERIFICATION_KEY_ID' || error.plaidType === 'INVALID_INPUT');

/**
 * Verifies Plaid's `Plaid-Verification` header as Plaid documents it: a JWT whose header must say
 * `alg: ES256` (anything else is refused before any key is looked up), whose `kid` names a key
 * from `/webhook_verification_key/get`, whose `iat` is at most 5 minutes old, and whose
 * `request_body_sha256` equals, in constant time, the SHA-256 of the raw body exactly as received.
 *
 * Keys are cached per container, and a key with `expired_at` set is refused. A cached key is
 * looked up again when it is older than {@link KEY_RECHECK_MS} (one lookup however many webhooks
 * wait for it), so a key Plaid expires stops verifying within minutes; if that lookup fails for
 * another reason than "unknown kid" (Plaid unreachable), the cached answer stands until the next
 * attempt. Kids not in the cache share one budget: while a lookup of a new kid is under way the
 * others wait for it, and once one came back unknown, no new kid is looked up for
 * {@link UNKNOWN_KID_RETRY_MS}.
 *
 * @example
 * await verifier.verify(headers['plaid-verification'], rawBody, clock.now());
 */
export class PlaidWebhookVerifier implements WebhookVerifier {
  private readonly keys = new Map<string, CachedKey>();
  private readonly rechecks = new Map<string, Promise<CachedKey | undefined>>();
  /** The one lookup of a not-yet-cached kid under way, if any. */
  private newKidLookup: Promise<unknown> | undefined;
  private lastUnknownAt: number | undefined;

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

    const { key, expired } = await this.keyFor(header.kid, now.getTime());
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

  private async keyFor(kid: string, now: number): Promise<CachedKey> {
    const cached = this.keys.get(kid);
    if (cached !== undefined) {
      if (now - cached.checkedAt < KEY_RECHECK_MS) return cached;
      return (
        (await this.recheck(kid, cached, now)) ?? Promise.reject(new WebhookRejectedError('unknown kid'))
      );
    }
    // New kids take turns, so a burst of forged ones waits for the first answer instead of racing.
    while (this.newKidLookup !== undefined) await this.newKidLookup.catch(() => undefined);
    const known = this.keys.get(kid);
    if (known !== undefined) return known;
    if (this.lastUnknownAt !== undefined && now - this.lastUnknownAt < UNKNOWN_KID_RETRY_MS)
      throw new WebhookRejectedError('unknown kid (lookups paused)');
    const lookup = this.fetch(kid, now).then(
      (key) => {
        this.keys.set(kid, key);
        return key;
      },
      (error: unknown) => {
        // Plaid unreachable is not "unknown", but it spends the budget all the same: a forged kid
        // must not be a way to make us call Plaid more often when it is struggling.
        this.lastUnknownAt = now;
        throw new WebhookRejectedError(isUnknownKid(error) ? 'unknown kid' : 'key lookup failed');
      },
    );
    this.newKidLookup = lookup;
    try {
      return await lookup;
    } finally {
      this.newKidLookup = undefined;
    }
  }

  /** One lookup of a cached kid at a time; undefined when Plaid no longer knows it. */
  private recheck(kid: string, cached: CachedKey, now: number): Promise<CachedKey | undefined> {
    const running = this.rechecks.get(kid);
    if (running !== undefined) return running;
    const recheck = this.fetch(kid, now)
      .then(
        (fresh): CachedKey | undefined => fresh,
        (error: unknown): CachedKey | undefined =>
          isUnknownKid(error)
            ? undefined
            : { ...cached, checkedAt: now - KEY_RECHECK_MS + UNKNOWN_KID_RETRY_MS },
      )
      .then((result) => {
        if (result === undefined) this.keys.delete(kid);
        else this.keys.set(kid, result);
        return result;
      })
      .finally(() => this.rechecks.delete(kid));
    this.rechecks.set(kid, recheck);
    return recheck;
  }

  private async fetch(kid: string, now: number): Promise<CachedKey> {
    const { jwk, expiredAt } = await this.plaid.webhookVerificationKey(kid);
    return { key: await importJWK(jwk as JWK, 'ES256'), expired: expiredAt !== null, checkedAt: now };
  }
}
