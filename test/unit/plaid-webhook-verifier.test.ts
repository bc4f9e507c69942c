import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  KEY_RECHECK_MS,
  PlaidWebhookVerifier,
  UNKNOWN_KID_RETRY_MS,
} from '../../functions/adapters/plaid-webhook-verifier';
import { PlaidRequestError } from '../../functions/domain/errors';
import { ManualClock } from '../support/manual-clock';

/** Plaid's `/webhook_verification_key/get`, as far as the verifier sees it, counting lookups. */
class KeyDirectory {
  readonly lookups: string[] = [];
  readonly keys = new Map<string, { jwk: Record<string, unknown>; expiredAt: number | null }>();
  unreachable = false;

  async webhookVerificationKey(kid: string) {
    this.lookups.push(kid);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.unreachable) throw new PlaidRequestError('INTERNAL_SERVER_ERROR', 'API_ERROR', 500, 'down');
    const key = this.keys.get(kid);
    if (key === undefined)
      throw new PlaidRequestError('INVALID_WEBHOOK_VERIFICATION_KEY_ID', 'INVALID_INPUT', 400, 'unknown');
    return key;
  }
}

const body = '{\n  "webhook_code": "ERROR"\n}';
type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let signer: SigningKey;
let publicJwk: Record<string, unknown>;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  signer = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig' };
});

const sign = (kid: string, clock: ManualClock, key: SigningKey = signer) =>
  new SignJWT({ request_body_sha256: createHash('sha256').update(body).digest('hex') })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
    .sign(key);

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: { code?: string }) => error.code,
  );

function world() {
  const clock = new ManualClock();
  const plaid = new KeyDirectory();
  plaid.keys.set('kid-1', { jwk: publicJwk, expiredAt: null });
  return { clock, plaid, verifier: new PlaidWebhookVerifier(plaid) };
}

describe('Webhook keys that expire', () => {
  it('refuses a cached key within minutes of Plaid expiring it', async () => {
    // Prepare: the key is cached by a first webhook.
    const { clock, plaid, verifier } = world();
    await verifier.verify(await sign('kid-1', clock), body, clock.now());
    // Act: Plaid expires the key; a minute later the cache still answers, after the re-check it does not.
    plaid.keys.set('kid-1', { jwk: publicJwk, expiredAt: Math.floor(clock.now().getTime() / 1000) });
    clock.advance(60);
    const withinCache = await rejection(verifier.verify(await sign('kid-1', clock), body, clock.now()));
    clock.advance(KEY_RECHECK_MS / 1000);
    const afterRecheck = await rejection(verifier.verify(await sign('kid-1', clock), body, clock.now()));
    // Assess
    expect(withinCache).toBe('accepted');
    expect(afterRecheck).toBe('INVALID_WEBHOOK_SIGNATURE');
    expect(plaid.lookups).toEqual(['kid-1', 'kid-1']);
  });

  it('refuses a key Plaid no longer knows, and re-checks a key once however many webhooks wait', async () => {
    // Prepare
    const { clock, plaid, verifier } = world();
    await verifier.verify(await sign('kid-1', clock), body, clock.now());
    clock.advance(KEY_RECHECK_MS / 1000);
    // Act: ten webhooks at once need the re-check.
    const tokens = await Promise.all(Array.from({ length: 10 }, () => sign('kid-1', clock)));
    const outcomes = await Promise.all(tokens.map((t) => rejection(verifier.verify(t, body, clock.now()))));
    plaid.keys.delete('kid-1');
    clock.advance(KEY_RECHECK_MS / 1000);
    const forgotten = await rejection(verifier.verify(await sign('kid-1', clock), body, clock.now()));
    // Assess
    expect(outcomes).toEqual(Array(10).fill('accepted'));
    expect(forgotten).toBe('INVALID_WEBHOOK_SIGNATURE');
    expect(plaid.lookups).toEqual(['kid-1', 'kid-1', 'kid-1']);
  });

  it('keeps a cached key while Plaid cannot be reached, and asks again a minute later', async () => {
    // Prepare
    const { clock, plaid, verifier } = world();
    await verifier.verify(await sign('kid-1', clock), body, clock.now());
    clock.advance(KEY_RECHECK_MS / 1000);
    plaid.unreachable = true;
    // Act
    const duringOutage = await rejection(verifier.verify(await sign('kid-1', clock), body, clock.now()));
    clock.advance(30);
    const sameMinute = await rejection(verifier.verify(await sign('kid-1', clock), body, clock.now()));
    clock.advance(31);
    plaid.unreachable = false;
    const later = await rejection(verifier.verify(await sign('kid-1', clock), body, clock.now()));
    // Assess
    expect([duringOutage, sameMinute, later]).toEqual(['accepted', 'accepted', 'accepted']);
    expect(plaid.lookups).toEqual(['kid-1', 'kid-1', 'kid-1']);
  });
});

describe('Unknown kids', () => {
  it('20 unknown kids in a row cause at most one Plaid key lookup', async () => {
    // Prepare
    const { clock, plaid, verifier } = world();
    const { privateKey } = await generateKeyPair('ES256');
    // Act
    const outcomes: (string | undefined)[] = [];
    for (let n = 0; n < 20; n++) {
      outcomes.push(
        await rejection(verifier.verify(await sign(`forged-${n}`, clock, privateKey), body, clock.now())),
      );
      clock.advance(1);
    }
    // Assess
    expect(outcomes).toEqual(Array(20).fill('INVALID_WEBHOOK_SIGNATURE'));
    expect(plaid.lookups).toHaveLength(1);
  });

  it('20 unknown kids at once cause one lookup; a minute later one more; known kids still verify', async () => {
    // Prepare
    const { clock, plaid, verifier } = world();
    await verifier.verify(await sign('kid-1', clock), body, clock.now());
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, n) => sign(`forged-${n}`, clock, privateKey)),
    );
    // Act
    const burst = await Promise.all(forged.map((t) => rejection(verifier.verify(t, body, clock.now()))));
    const known = await rejection(verifier.verify(await sign('kid-1', clock), body, clock.now()));
    clock.advance(UNKNOWN_KID_RETRY_MS / 1000);
    const again = await Promise.all(
      forged.slice(0, 5).map(async (t) => rejection(verifier.verify(t, body, clock.now()))),
    );
    // Assess
    expect(burst).toEqual(Array(20).fill('INVALID_WEBHOOK_SIGNATURE'));
    expect(known).toBe('accepted');
    expect(again).toEqual(Array(5).fill('INVALID_WEBHOOK_SIGNATURE'));
    expect(plaid.lookups.filter((kid) => kid.startsWith('forged-'))).toHaveLength(2);
  });

  it('a new key Plaid rotated in is looked up and cached', async () => {
    // Prepare
    const { clock, plaid, verifier } = world();
    plaid.keys.set('kid-2', { jwk: publicJwk, expiredAt: null });
    // Act
    const first = await rejection(verifier.verify(await sign('kid-2', clock), body, clock.now()));
    const second = await rejection(verifier.verify(await sign('kid-2', clock), body, clock.now()));
    // Assess
    expect([first, second]).toEqual(['accepted', 'accepted']);
    expect(plaid.lookups).toEqual(['kid-2']);
  });
});
