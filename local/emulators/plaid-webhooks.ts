import { createHash, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWKPublicKey } from 'plaid';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * Plaid's webhook signing keys (ES256, P-256). The newest signs; older ones stay fetchable
 * through `/webhook_verification_key/get`, with `expired_at` once expired.
 */
export class WebhookKeyRing {
  private readonly keys: { privateKey: PrivateKey; jwk: JWKPublicKey }[] = [];

  private constructor(private readonly now: () => Date) {}

  static async create(now: () => Date): Promise<WebhookKeyRing> {
    const ring = new WebhookKeyRing(now);
    await ring.rotate();
    return ring;
  }

  /** The signing key now. */
  current() {
    return this.keys[0] as { privateKey: PrivateKey; jwk: JWKPublicKey };
  }

  get(kid: string): JWKPublicKey | undefined {
    return this.keys.find((key) => key.jwk.kid === kid)?.jwk;
  }

  list(): JWKPublicKey[] {
    return this.keys.map((key) => ({ ...key.jwk }));
  }

  /** A new signing key; the previous one stays fetchable, expired if `expirePrevious`. */
  async rotate(expirePrevious = false): Promise<{ kid: string; previousKid: string | null }> {
    const previous = this.keys[0];
    if (previous !== undefined && expirePrevious) previous.jwk.expired_at = seconds(this.now());
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { x, y, crv, kty } = await exportJWK(publicKey);
    const jwk: JWKPublicKey = {
      alg: 'ES256',
      crv: crv ?? 'P-256',
      kid: randomUUID(),
      kty: kty ?? 'EC',
      use: 'sig',
      x: x ?? '',
      y: y ?? '',
      created_at: seconds(this.now()),
      expired_at: null,
    };
    this.keys.unshift({ privateKey, jwk });
    return { kid: jwk.kid, previousKid: previous?.jwk.kid ?? null };
  }
}

/** One webhook the emulator sent (or would have sent). */
export interface SentWebhook {
  id: number;
  itemId: string;
  webhookType: string;
  webhookCode: string;
  /** Where it went; null when the Item has no webhook URL. */
  url: string | null;
  /** The exact bytes of the body, as a string. */
  body: string;
  /** The `Plaid-Verification` header sent with it (set once signed). */
  verification: string | null;
  kid: string;
  at: string;
  outcome: 'pending' | 'delivered' | 'failed' | 'disabled' | 'no_webhook';
  status?: number;
  error?: string;
  /** 1 for the first delivery, 2 for its first retry, and so on. */
  attempt: number;
  /** The id of the first delivery this one retries (absent on a first delivery). */
  retryOf?: number;
  /** When a failed delivery is tried again (absent once retried, or when Plaid would give up). */
  nextAttemptAt?: string;
}

const KEEP = 1000;
const SECOND = 1000;
/**
 * Plaid's retry schedule (https://plaid.com/docs/api/webhooks/#webhook-retries): a webhook
 * answered with anything but 200, or not at all within the timeout, is sent again, first after
 * 30 seconds and then each time after a delay 4 times the previous one, for up to 24 hours.
 */
export const RETRY_FIRST_DELAY_MS = 30 * SECOND;
export const RETRY_FACTOR = 4;
export const RETRY_WINDOW_MS = 24 * 3600 * SECOND;

/**
 * A webhook body as Plaid writes it: keys sorted at every level, indented with 2 spaces
 * (https://plaid.com/docs/api/webhooks/webhook-verification/: the SHA-256 covers the body
 * exactly as sent, whitespace included; Plaid's own samples list keys alphabetically).
 */
export function plaidWebhookBody(payload: unknown): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sorted((value as Record<string, unknown>)[key])]),
    );
  };
  return JSON.stringify(sorted(payload), null, 2);
}

/**
 * Delivers signed webhooks like Plaid: POST of a key-sorted, pretty-printed (2-space) JSON body
 * with a `Plaid-Verification` JWT (ES256, `{iat, request_body_sha256}`). Fire-and-forget with a
 * timeout: outcomes are recorded (the last 1,000), never thrown. A failed delivery is retried on
 * Plaid's schedule by `retryDue()` (the emulator calls it as its clock moves); each retry carries
 * the same bytes and a freshly signed JWT, so its `iat` is the time of the retry.
 */
export class WebhookSender {
  enabled = true;
  timeoutMs = 2_000;
  readonly sent: SentWebhook[] = [];
  private nextId = 1;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly signing = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(
    private readonly keys: WebhookKeyRing,
    private readonly now: () => Date,
  ) {}

  send(
    url: string | null,
    payload: { webhook_type: string; webhook_code: string; item_id: string },
  ): SentWebhook {
    const body = plaidWebhookBody(payload);
    const record: SentWebhook = {
      id: this.nextId++,
      itemId: payload.item_id,
      webhookType: payload.webhook_type,
      webhookCode: payload.webhook_code,
      url,
      body,
      verification: null,
      kid: this.keys.current().jwk.kid,
      at: this.now().toISOString(),
      outcome: url === null ? 'no_webhook' : this.enabled ? 'pending' : 'disabled',
      attempt: 1,
    };
    this.record(record);
    this.track(
      this.trackSigning(this.sign(record)).then(() =>
        record.outcome === 'pending' ? this.deliver(record) : undefined,
      ),
    );
    return record;
  }

  /**
   * Sends again every failed delivery whose retry is due by the emulator's clock: same bytes,
   * a new `Plaid-Verification` signed now (fresh `iat`). Returns the retries started.
   */
  retryDue(): SentWebhook[] {
    const now = this.now().getTime();
    const due = this.sent.filter((w) => w.nextAttemptAt !== undefined && Date.parse(w.nextAttemptAt) <= now);
    return due.map((failed) => {
      delete failed.nextAttemptAt;
      const retry: SentWebhook = {
        ...failed,
        id: this.nextId++,
        verification: null,
        at: this.now().toISOString(),
        outcome: this.enabled ? 'pending' : 'disabled',
        attempt: failed.attempt + 1,
        retryOf: failed.retryOf ?? failed.id,
      };
      delete retry.status;
      delete retry.error;
      this.record(retry);
      this.track(
        this.trackSigning(this.sign(retry)).then(() =>
          retry.outcome === 'pending' ? this.deliver(retry) : undefined,
        ),
      );
      return retry;
    });
  }

  private record(webhook: SentWebhook): void {
    this.sent.push(webhook);
    if (this.sent.length > KEEP) this.sent.splice(0, this.sent.length - KEEP);
  }

  /** Sends a recorded webhook again, same bytes and same signature: a duplicate, as Plaid may send. */
  resend(id: number): SentWebhook | undefined {
    const original = this.sent.find((w) => w.id === id);
    if (original === undefined || original.url === null) return undefined;
    const copy: SentWebhook = {
      ...original,
      id: this.nextId++,
      at: this.now().toISOString(),
      outcome: this.enabled ? 'pending' : 'disabled',
    };
    delete copy.status;
    delete copy.error;
    delete copy.nextAttemptAt;
    this.record(copy);
    const signed = copy.verification === null ? this.trackSigning(this.sign(copy)) : Promise.resolve();
    this.track(signed.then(() => (copy.outcome === 'pending' ? this.deliver(copy) : undefined)));
    return copy;
  }

  /**
   * Resolves once every webhook recorded so far carries its `Plaid-Verification` (signing is
   * asynchronous). The emulator awaits this before answering a request, so whoever reads
   * `sent` after a request that fired a webhook sees it signed.
   */
  async allSigned(): Promise<void> {
    while (this.signing.size > 0) await Promise.all([...this.signing]);
  }

  /** Resolves once every delivery started so far has finished. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  close(): void {
    this.closing.abort();
  }

  private trackSigning(work: Promise<void>): Promise<void> {
    const done: Promise<void> = work.catch(() => undefined).finally(() => this.signing.delete(done));
    this.signing.add(done);
    return work;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async sign(record: SentWebhook): Promise<void> {
    const key = this.keys.current();
    record.kid = key.jwk.kid;
    record.verification = await new SignJWT({
      request_body_sha256: createHash('sha256').update(record.body, 'utf8').digest('hex'),
    })
      .setProtectedHeader({ alg: 'ES256', kid: key.jwk.kid, typ: 'JWT' })
      .setIssuedAt(seconds(this.now()))
      .sign(key.privateKey);
  }

  private async deliver(record: SentWebhook): Promise<void> {
    try {
      const response = await fetch(record.url as string, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'plaid-verification': record.verification ?? '' },
        body: record.body,
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]),
      });
      await response.arrayBuffer().catch(() => undefined);
      record.status = response.status;
      // Plaid retries anything but a 200 (https://plaid.com/docs/api/webhooks/#webhook-retries).
      record.outcome = response.status === 200 ? 'delivered' : 'failed';
      if (response.status !== 200) record.error = `HTTP ${response.status}`;
    } catch (error) {
      record.outcome = 'failed';
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (record.outcome === 'failed' && !this.closing.signal.aborted) this.scheduleRetry(record);
  }

  /** Plaid's next attempt for a failed delivery, unless 24 hours since the first have passed. */
  private scheduleRetry(record: SentWebhook): void {
    const first = this.sent.find((w) => w.id === (record.retryOf ?? record.id));
    const firstAt = Date.parse(first?.at ?? record.at);
    const delay = RETRY_FIRST_DELAY_MS * RETRY_FACTOR ** (record.attempt - 1);
    const next = Date.parse(record.at) + delay;
    if (next - firstAt <= RETRY_WINDOW_MS) record.nextAttemptAt = new Date(next).toISOString();
  }
}
