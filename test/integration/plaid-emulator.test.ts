import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import {
  Configuration,
  CountryCode,
  PlaidApi,
  type PlaidError,
  Products,
  SandboxItemFireWebhookRequestWebhookCodeEnum as WebhookCode,
} from 'plaid';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OffsetClock } from '../../local/clock';
import { type PlaidEmulator, startPlaidEmulator } from '../../local/emulators/plaid';
import { localRoutes } from '../../local/local-routes';

const CLIENT_ID = 'plaid-emulator-test-client';
const SECRET = 'plaid-emulator-test-secret';
let clockMs = Date.now();
const now = () => new Date(clockMs);
const advance = (ms: number) => {
  clockMs += ms;
};

let emulator: PlaidEmulator;
let client: PlaidApi;
let receiver: Receiver;

beforeAll(async () => {
  emulator = await startPlaidEmulator({ clientId: CLIENT_ID, secret: SECRET, now });
  client = plaidClient(CLIENT_ID, SECRET);
  receiver = await startReceiver();
});
afterAll(async () => {
  await emulator?.close();
  await receiver?.close();
});
beforeEach(async () => {
  await control('POST', '/emulator/webhooks', { enabled: true });
  await control('POST', '/emulator/config', { latencyMs: 0, itemGetLimitPerMinute: 15 });
});

function plaidClient(clientId: string, secret: string) {
  return new PlaidApi(
    new Configuration({
      basePath: emulator.url,
      baseOptions: { headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret } },
    }),
  );
}

/** A Plaid call's data; a failure becomes an error that carries no request config (no secret). */
async function ok<T>(call: Promise<{ data: T }>): Promise<T> {
  try {
    return (await call).data;
  } catch (error) {
    const { status, data } = failureOf(error);
    throw new Error(`Plaid answered ${status}: ${JSON.stringify(data)}`);
  }
}
/** The HTTP status and Plaid envelope of a call that must fail. */
async function failure(call: Promise<unknown>): Promise<{ status: number; data: PlaidError }> {
  try {
    await call;
  } catch (error) {
    return failureOf(error);
  }
  throw new Error('expected the Plaid call to fail');
}
function failureOf(error: unknown): { status: number; data: PlaidError } {
  const response = (error as { response?: { status: number; data: PlaidError } }).response;
  if (response === undefined) throw new Error(`no HTTP response: ${(error as Error).message}`);
  return { status: response.status, data: response.data };
}

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read control answers loosely.
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const baseLink = () => ({
  client_name: 'LinkGuard',
  language: 'en',
  country_codes: [CountryCode.Us],
  user: { client_user_id: 'user-1' },
  products: [Products.Transactions],
});
const linkToken = (extra: Record<string, unknown> = {}) =>
  ok(client.linkTokenCreate({ ...baseLink(), ...extra }));

/** A linked Item: Sandbox public token, then exchange. */
async function linkedItem(webhook?: string) {
  const { public_token } = await ok(
    client.sandboxPublicTokenCreate({
      institution_id: 'ins_109509',
      initial_products: [Products.Transactions],
      ...(webhook === undefined ? {} : { options: { webhook } }),
    }),
  );
  return ok(client.itemPublicTokenExchange({ public_token }));
}

const ENVELOPE_KEYS = [
  'causes',
  'display_message',
  'documentation_url',
  'error_code',
  'error_code_reason',
  'error_message',
  'error_type',
  'request_id',
  'status',
  'suggested_action',
];

describe('Linking', () => {
  it('creates an Item through Link (new-link token) and /item/get sees it healthy', async () => {
    const link = await linkToken({ webhook: `${receiver.url}/hook` });
    expect(link.link_token).toMatch(/^link-sandbox-[0-9a-f-]{36}$/);
    expect(Date.parse(link.expiration) - clockMs).toBeGreaterThan(4 * 3600_000 - 2000);
    expect(link.request_id).toMatch(/^[A-Za-z0-9]{15}$/);

    const done = await control('POST', '/emulator/link/complete', {
      linkToken: link.link_token,
      institutionId: 'ins_109511',
    });
    expect(done.status).toBe(200);
    const exchanged = await ok(client.itemPublicTokenExchange({ public_token: done.body.publicToken }));
    expect(exchanged.access_token).toMatch(/^access-sandbox-[0-9a-f-]{36}$/);
    expect(exchanged.item_id).toBe(done.body.itemId);

    const { item, request_id } = await ok(client.itemGet({ access_token: exchanged.access_token }));
    expect(request_id).toBeTruthy();
    expect(item).toMatchObject({
      item_id: exchanged.item_id,
      institution_id: 'ins_109511',
      institution_name: 'Tartan Bank',
      webhook: `${receiver.url}/hook`,
      error: null,
      consent_expiration_time: null,
      update_type: 'background',
      billed_products: ['transactions'],
    });
    expect(Date.parse(item.created_at ?? '')).toBeGreaterThan(0);
    const held = emulator.items().find((i) => i.itemId === exchanged.item_id);
    expect(held).toMatchObject({ clientUserId: 'user-1', institutionName: 'Tartan Bank', getCount: 1 });
  });

  it('links through /sandbox/public_token/create; public tokens are single use and last 30 minutes', async () => {
    const created = await ok(
      client.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: [Products.Auth] }),
    );
    await ok(client.itemPublicTokenExchange({ public_token: created.public_token }));
    const again = await failure(client.itemPublicTokenExchange({ public_token: created.public_token }));
    expect(again.status).toBe(400);
    expect(again.data.error_code).toBe('INVALID_PUBLIC_TOKEN');

    const late = await ok(
      client.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: [Products.Auth] }),
    );
    advance(31 * 60_000);
    const expired = await failure(client.itemPublicTokenExchange({ public_token: late.public_token }));
    expect(expired.data).toMatchObject({ error_code: 'INVALID_PUBLIC_TOKEN', error_type: 'INVALID_INPUT' });
    expect(expired.data.error_message).toContain('expired');

    const unknown = await failure(
      client.sandboxPublicTokenCreate({ institution_id: 'ins_1', initial_products: [Products.Auth] }),
    );
    expect(unknown.data.error_code).toBe('INVALID_INSTITUTION');
  });

  it('refuses wrong or missing API keys with INVALID_API_KEYS, and takes keys from the body too', async () => {
    const wrong = await failure(plaidClient(CLIENT_ID, 'not-the-secret').itemGet({ access_token: 'x' }));
    expect(wrong.status).toBe(400);
    expect(Object.keys(wrong.data).sort()).toEqual(ENVELOPE_KEYS);
    expect(wrong.data).toMatchObject({
      error_code: 'INVALID_API_KEYS',
      status: 400,
      error_code_reason: null,
    });
    expect(JSON.stringify(wrong.data)).not.toContain('not-the-secret');

    const bare = await fetch(`${emulator.url}/item/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: 'access-sandbox-x' }),
    });
    expect(bare.status).toBe(400);
    expect(((await bare.json()) as PlaidError).error_code).toBe('INVALID_API_KEYS');

    const inBody = await fetch(`${emulator.url}/item/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: CLIENT_ID, secret: SECRET, access_token: 'access-sandbox-x' }),
    });
    expect(((await inBody.json()) as PlaidError).error_code).toBe('INVALID_ACCESS_TOKEN');
  });
});

describe('Broken Items', () => {
  it('shows an injected ITEM_LOGIN_REQUIRED in item.error with HTTP 200, and clears it', async () => {
    const { access_token, item_id } = await linkedItem();
    const injected = await control('POST', `/emulator/items/${item_id}/error`, {
      errorCode: 'ITEM_LOGIN_REQUIRED',
    });
    expect(injected.body).toMatchObject({ errorCode: 'ITEM_LOGIN_REQUIRED', webhook: 'ERROR' });

    const { item } = await ok(client.itemGet({ access_token }));
    expect(item.error).toMatchObject({
      error_type: 'ITEM_ERROR',
      error_code: 'ITEM_LOGIN_REQUIRED',
      status: 400,
    });
    expect(Object.keys(item.error ?? {}).sort()).toEqual(ENVELOPE_KEYS);

    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: null });
    expect((await ok(client.itemGet({ access_token }))).item.error).toBeNull();
    expect((await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'NOPE' })).status).toBe(
      400,
    );
  });

  it('answers institution and API outages with the envelope and Plaid’s HTTP status', async () => {
    const { access_token, item_id } = await linkedItem();
    const outages = [
      ['INSTITUTION_DOWN', 400, 'INSTITUTION_ERROR'],
      ['INSTITUTION_NOT_RESPONDING', 400, 'INSTITUTION_ERROR'],
      ['INTERNAL_SERVER_ERROR', 500, 'API_ERROR'],
    ] as const;
    for (const [code, status, type] of outages) {
      const injected = await control('POST', `/emulator/items/${item_id}/error`, { errorCode: code });
      expect(injected.body.webhook).toBeNull();
      const answer = await failure(client.itemGet({ access_token }));
      expect(answer.status).toBe(status);
      expect(Object.keys(answer.data).sort()).toEqual(ENVELOPE_KEYS);
      expect(answer.data).toMatchObject({ error_code: code, error_type: type, status, causes: [] });
      expect(answer.data.request_id).toMatch(/^[A-Za-z0-9]{15}$/);
    }
  });

  it('rate-limits /item/get per Item: the 16th call within a minute is a 429', async () => {
    const { access_token } = await linkedItem();
    const other = await linkedItem();
    for (let i = 0; i < 15; i += 1) {
      await ok(client.itemGet({ access_token }));
      advance(1000);
    }
    const limited = await failure(client.itemGet({ access_token }));
    expect(limited.status).toBe(429);
    expect(limited.data).toMatchObject({ error_type: 'RATE_LIMIT_EXCEEDED', error_code: 'ITEM_GET_LIMIT' });
    await ok(client.itemGet({ access_token: other.access_token }));

    advance(45_001); // the first call is now more than a minute old
    await ok(client.itemGet({ access_token }));
    await control('POST', '/emulator/config', { itemGetLimitPerMinute: 1 });
    expect((await failure(client.itemGet({ access_token: other.access_token }))).status).toBe(429);
  });

  it('repairs through update mode: a 30-minute token for the same Item, then Link completes', async () => {
    const { access_token, item_id } = await linkedItem();
    await ok(client.sandboxItemResetLogin({ access_token }));
    expect((await ok(client.itemGet({ access_token }))).item.error?.error_code).toBe('ITEM_LOGIN_REQUIRED');

    const update = await linkToken({ access_token, products: undefined });
    const minutes = (Date.parse(update.expiration) - clockMs) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30);
    const done = await control('POST', '/emulator/link/complete', { linkToken: update.link_token });
    expect(done.body).toMatchObject({ itemId: item_id, repaired: true, webhook: null });
    expect((await ok(client.itemGet({ access_token }))).item.error).toBeNull();
    expect(emulator.items().filter((i) => i.itemId === item_id)).toHaveLength(1);

    advance(31 * 60_000);
    const expired = await control('POST', '/emulator/link/complete', { linkToken: update.link_token });
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ error_code: 'INVALID_LINK_TOKEN', error_type: 'INVALID_INPUT' });
    const unknown = await control('POST', '/emulator/link/complete', { linkToken: 'link-sandbox-nope' });
    expect(unknown.body.error_code).toBe('INVALID_LINK_TOKEN');
    const badItem = await failure(
      client.linkTokenCreate({
        client_name: 'LinkGuard',
        language: 'en',
        country_codes: [CountryCode.Us],
        user: { client_user_id: 'user-1' },
        access_token: 'access-sandbox-00000000-0000-0000-0000-000000000000',
      }),
    );
    expect(badItem.data.error_code).toBe('INVALID_ACCESS_TOKEN');
  });

  it('forgets removed Items: ITEM_NOT_FOUND from then on', async () => {
    const { access_token, item_id } = await linkedItem();
    expect((await ok(client.itemRemove({ access_token }))).request_id).toBeTruthy();
    for (const call of [client.itemGet({ access_token }), client.itemRemove({ access_token })]) {
      const gone = await failure(call);
      expect(gone.status).toBe(400);
      expect(gone.data).toMatchObject({ error_code: 'ITEM_NOT_FOUND', error_type: 'ITEM_ERROR' });
    }
    expect(emulator.items().find((i) => i.itemId === item_id)?.removed).toBe(true);
    const listed = await control('GET', '/emulator/items');
    const row = listed.body.items.find((i: { itemId: string }) => i.itemId === item_id);
    expect(row).toMatchObject({ removed: true, exchanged: true, getCount: 1 });
    expect(JSON.stringify(listed.body)).not.toContain('access-sandbox-');
  });
});

/** Checks a delivery like the API must: JWT from the key Plaid serves, hash of the exact bytes. */
async function verify(delivery: Delivery) {
  const jwt = delivery.headers['plaid-verification'];
  expect(typeof jwt).toBe('string');
  const header = decodeProtectedHeader(jwt as string);
  expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
  const { key } = await ok(client.webhookVerificationKeyGet({ key_id: header.kid as string }));
  expect(key).toMatchObject({ alg: 'ES256', crv: 'P-256', kty: 'EC', use: 'sig', kid: header.kid });
  const publicKey = await importJWK({ kty: key.kty, crv: key.crv, x: key.x, y: key.y }, 'ES256');
  const { payload } = await jwtVerify(jwt as string, publicKey, {
    algorithms: ['ES256'],
    currentDate: emulator.now(),
    maxTokenAge: '5 min',
  });
  expect(payload.request_body_sha256).toBe(createHash('sha256').update(delivery.raw).digest('hex'));
  const body = JSON.parse(delivery.raw.toString('utf8'));
  expect(delivery.raw.toString('utf8')).toBe(JSON.stringify(body, null, 2));
  return { body, kid: header.kid as string, key };
}

describe('Webhooks', () => {
  it('sends signed ERROR, PENDING_EXPIRATION and LOGIN_REPAIRED webhooks the API can verify', async () => {
    const { access_token, item_id } = await linkedItem(`${receiver.url}/plaid`);
    receiver.deliveries.length = 0;

    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    const expiry = new Date(clockMs + 3 * 86_400_000).toISOString();
    await control('POST', `/emulator/items/${item_id}/pending-expiration`, { consentExpirationTime: expiry });
    // Repaired outside the app (another app using Plaid, say): Plaid says so with LOGIN_REPAIRED.
    await control('POST', `/emulator/items/${item_id}/webhook`, { webhookCode: 'LOGIN_REPAIRED' });
    await emulator.webhooksSettled();

    expect(receiver.deliveries.map((d) => d.path)).toEqual(['/plaid', '/plaid', '/plaid']);
    const bodies = await Promise.all(receiver.deliveries.map(async (d) => (await verify(d)).body));
    const codes = bodies.map((b) => b.webhook_code).sort();
    expect(codes).toEqual(['ERROR', 'LOGIN_REPAIRED', 'PENDING_EXPIRATION']);
    const byCode = Object.fromEntries(bodies.map((b) => [b.webhook_code, b]));
    expect(byCode.ERROR).toMatchObject({
      webhook_type: 'ITEM',
      item_id,
      environment: 'sandbox',
      error: { error_code: 'ITEM_LOGIN_REQUIRED', error_type: 'ITEM_ERROR', status: 400 },
    });
    expect(Object.keys(byCode.ERROR)).toEqual([
      'environment',
      'error',
      'item_id',
      'webhook_code',
      'webhook_type',
    ]);
    expect(access_token).toMatch(/^access-sandbox-/);
    expect(byCode.PENDING_EXPIRATION.consent_expiration_time).toBe(expiry.replace(/\.\d{3}Z$/, 'Z'));
    expect(byCode.LOGIN_REPAIRED).toEqual({
      webhook_type: 'ITEM',
      webhook_code: 'LOGIN_REPAIRED',
      item_id,
      environment: 'sandbox',
    });
    expect(
      emulator
        .webhooks()
        .filter((w) => w.itemId === item_id)
        .map((w) => w.outcome),
    ).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('acknowledges /item/webhook/update at the new URL and fires Sandbox webhooks there', async () => {
    const { access_token, item_id } = await linkedItem();
    const updated = await ok(client.itemWebhookUpdate({ access_token, webhook: `${receiver.url}/new` }));
    expect(updated.item.webhook).toBe(`${receiver.url}/new`);
    await ok(client.sandboxItemFireWebhook({ access_token, webhook_code: WebhookCode.PendingDisconnect }));
    await ok(client.sandboxItemFireWebhook({ access_token, webhook_code: WebhookCode.NewAccountsAvailable }));
    await emulator.webhooksSettled();
    const mine = receiver.deliveries.filter((d) => d.raw.toString().includes(item_id));
    const bodies = await Promise.all(mine.map(async (d) => (await verify(d)).body));
    expect(bodies.map((b) => b.webhook_code).sort()).toEqual([
      'NEW_ACCOUNTS_AVAILABLE',
      'PENDING_DISCONNECT',
      'WEBHOOK_UPDATE_ACKNOWLEDGED',
    ]);
    const ack = bodies.find((b) => b.webhook_code === 'WEBHOOK_UPDATE_ACKNOWLEDGED');
    expect(ack).toMatchObject({ new_webhook_url: `${receiver.url}/new`, error: null });
    expect(bodies.find((b) => b.webhook_code === 'PENDING_DISCONNECT')?.reason).toBeTruthy();
  });

  it('rotates the signing key: old keys stay fetchable (expired if asked), unknown kids are INVALID_INPUT', async () => {
    const { item_id } = await linkedItem(`${receiver.url}/rotate`);
    const first = (await control('GET', '/emulator/webhook-keys')).body.current as string;
    const rotated = await control('POST', '/emulator/webhook-keys/rotate', { expirePrevious: true });
    expect(rotated.body.previousKid).toBe(first);
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOCKED' });
    await emulator.webhooksSettled();
    const delivery = receiver.deliveries.find((d) => d.path === '/rotate');
    expect(delivery).toBeDefined();
    const { kid } = await verify(delivery as Delivery);
    expect(kid).toBe(rotated.body.kid);

    const old = await ok(client.webhookVerificationKeyGet({ key_id: first }));
    expect(old.key.expired_at).toBeGreaterThan(0);
    const unknown = await failure(client.webhookVerificationKeyGet({ key_id: 'no-such-kid' }));
    expect(unknown.status).toBe(400);
    expect(unknown.data.error_type).toBe('INVALID_INPUT');
  });

  it('records webhooks it was told not to deliver and failed deliveries, never throwing', async () => {
    const { item_id } = await linkedItem(`${receiver.url}/off`);
    await control('POST', '/emulator/webhooks', { enabled: false });
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'NO_ACCOUNTS' });
    await emulator.webhooksSettled();
    expect(receiver.deliveries.some((d) => d.path === '/off')).toBe(false);
    const listed = await control('GET', '/emulator/webhooks');
    const off = listed.body.webhooks.filter((w: { itemId: string }) => w.itemId === item_id);
    expect(off).toMatchObject([{ webhookCode: 'ERROR', outcome: 'disabled' }]);

    await control('POST', '/emulator/webhooks', { enabled: true });
    const dead = await linkedItem('http://127.0.0.1:9/nobody-listens');
    const injected = await control('POST', `/emulator/items/${dead.item_id}/error`, {
      errorCode: 'ITEM_LOGIN_REQUIRED',
    });
    expect(injected.status).toBe(200);
    await emulator.webhooksSettled();
    expect(emulator.webhooks().find((w) => w.itemId === dead.item_id)).toMatchObject({ outcome: 'failed' });
  });
});

/** Moves the emulator's own clock (POST /emulator/clock) and answers its new time. */
async function later(seconds: number) {
  const moved = await control('POST', '/emulator/clock', { advanceSeconds: seconds });
  expect(moved.status).toBe(200);
  return Date.parse(moved.body.now);
}
const iatOf = (delivery: Delivery) =>
  JSON.parse(
    Buffer.from(String(delivery.headers['plaid-verification']).split('.')[1] ?? '', 'base64url').toString(),
  ).iat as number;

// Issue 11, finding 9: the emulator behaves as Plaid documents, not as our code assumed.
describe('Fidelity to Plaid', () => {
  it('sends no LOGIN_REPAIRED after an in-app update-mode repair; the webhook control repairs out of app with one', async () => {
    // Prepare
    const { access_token, item_id } = await linkedItem(`${receiver.url}/in-app`);
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    // Act: the user repairs in our app (update mode)
    const update = await linkToken({ access_token });
    const done = await control('POST', '/emulator/link/complete', { linkToken: update.link_token });
    await emulator.webhooksSettled();
    // Assess: healthy, and no LOGIN_REPAIRED (https://plaid.com/docs/api/items/#login_repaired)
    expect(done.body).toMatchObject({ repaired: true, webhook: null, errorCode: null });
    expect((await ok(client.itemGet({ access_token }))).item.error).toBeNull();
    const codes = () =>
      emulator
        .webhooks()
        .filter((w) => w.itemId === item_id)
        .map((w) => w.webhookCode);
    expect(codes()).toEqual(['ERROR']);

    // Act: broken again, then repaired outside the app
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    const fired = await control('POST', `/emulator/items/${item_id}/webhook`, {
      webhookCode: 'LOGIN_REPAIRED',
    });
    // Assess
    expect(fired.body).toMatchObject({ webhook: 'LOGIN_REPAIRED', item: { errorCode: null } });
    expect((await ok(client.itemGet({ access_token }))).item.error).toBeNull();
    expect(codes()).toEqual(['ERROR', 'ERROR', 'LOGIN_REPAIRED']);
  });

  it('ignores `webhook` on update-mode link tokens (LinkTokenCreateRequest.webhook: "no effect in update mode")', async () => {
    const { access_token, item_id } = await linkedItem(`${receiver.url}/original`);
    const update = await linkToken({ access_token, webhook: `${receiver.url}/hijack` });
    await control('POST', '/emulator/link/complete', { linkToken: update.link_token });
    expect((await ok(client.itemGet({ access_token }))).item.webhook).toBe(`${receiver.url}/original`);
    const got = await ok(client.linkTokenGet({ link_token: update.link_token }));
    expect(got.metadata.webhook).toBeNull();
    expect(emulator.items().find((i) => i.itemId === item_id)?.webhook).toBe(`${receiver.url}/original`);
  });

  it('renews consent through update mode by moving consent_expiration_time 12 months later, never to null', async () => {
    const { access_token, item_id } = await linkedItem();
    const start = emulator.now().getTime();
    const expiry = new Date(start + 5 * 86_400_000).toISOString();
    await control('POST', `/emulator/items/${item_id}/webhook`, {
      webhookCode: 'PENDING_EXPIRATION',
      consentExpirationTime: expiry,
    });
    const update = await linkToken({ access_token });
    const done = await control('POST', '/emulator/link/complete', { linkToken: update.link_token });
    const renewed = Date.parse(done.body.consentExpirationTime);
    expect(renewed - start).toBeGreaterThanOrEqual(365 * 86_400_000 - 2000);
    const { item } = await ok(client.itemGet({ access_token }));
    expect(item.consent_expiration_time).toBe(done.body.consentExpirationTime);
    // The old deadline passes: nothing breaks.
    await later(6 * 86_400);
    expect((await ok(client.itemGet({ access_token }))).item.error).toBeNull();
  });

  it('breaks an Item at its PENDING_DISCONNECT disconnect_time by the emulator clock, with an ERROR webhook', async () => {
    // Prepare
    const { access_token, item_id } = await linkedItem(`${receiver.url}/disconnect`);
    const disconnectTime = new Date(emulator.now().getTime() + 3 * 86_400_000).toISOString();
    const fired = await control('POST', `/emulator/items/${item_id}/webhook`, {
      webhookCode: 'PENDING_DISCONNECT',
      disconnectTime,
      reason: 'INSTITUTION_MIGRATION',
    });
    expect(fired.status).toBe(200);
    await emulator.webhooksSettled();
    const notice = receiver.deliveries.find((d) => d.path === '/disconnect');
    expect(JSON.parse(String(notice?.raw))).toMatchObject({
      webhook_code: 'PENDING_DISCONNECT',
      reason: 'INSTITUTION_MIGRATION',
      disconnect_time: disconnectTime.replace(/\.\d{3}Z$/, 'Z'),
    });
    // Act + Assess: clean until the deadline (PendingDisconnectWebhook: "expected to be disconnected")
    await later(3 * 86_400 - 60);
    expect((await ok(client.itemGet({ access_token }))).item.error).toBeNull();
    await later(61);
    const { item } = await ok(client.itemGet({ access_token }));
    expect(item.error?.error_code).toBe('ITEM_LOGIN_REQUIRED');
    await emulator.webhooksSettled();
    expect(
      emulator
        .webhooks()
        .filter((w) => w.itemId === item_id)
        .map((w) => w.webhookCode),
    ).toEqual(['PENDING_DISCONNECT', 'ERROR']);
  });

  it('breaks an Item when its consent expires, unless renewed first', async () => {
    const { access_token, item_id } = await linkedItem();
    const expiry = new Date(emulator.now().getTime() + 86_400_000).toISOString();
    await control('POST', `/emulator/items/${item_id}/pending-expiration`, { consentExpirationTime: expiry });
    expect((await ok(client.itemGet({ access_token }))).item.consent_expiration_time).toBe(
      expiry.replace(/\.\d{3}Z$/, 'Z'),
    );
    await later(86_401);
    expect((await ok(client.itemGet({ access_token }))).item.error?.error_code).toBe('ITEM_LOGIN_REQUIRED');
    // Update mode repairs it and renews consent.
    const update = await linkToken({ access_token });
    await control('POST', '/emulator/link/complete', { linkToken: update.link_token });
    const { item } = await ok(client.itemGet({ access_token }));
    expect(item.error).toBeNull();
    expect(Date.parse(item.consent_expiration_time ?? '')).toBeGreaterThan(
      emulator.now().getTime() + 300 * 86_400_000,
    );
  });

  it('retries a failed webhook on Plaid’s schedule (30 s, then ×4) with the same bytes and a fresh iat', async () => {
    // Prepare: the receiver answers 500 twice, then 200
    const { item_id } = await linkedItem(`${receiver.url}/flaky`);
    receiver.failures.set('/flaky', 2);
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await emulator.webhooksSettled();
    const first = emulator.webhooks().find((w) => w.itemId === item_id);
    expect(first).toMatchObject({ outcome: 'failed', status: 500, attempt: 1 });
    expect(Date.parse(first?.nextAttemptAt ?? '') - Date.parse(first?.at ?? '')).toBe(30_000);
    // Act: 29 s later nothing; 30 s later the retry
    await later(29);
    await emulator.webhooksSettled();
    expect(receiver.deliveries.filter((d) => d.path === '/flaky')).toHaveLength(1);
    await later(1);
    await emulator.webhooksSettled();
    const second = emulator.webhooks().filter((w) => w.itemId === item_id)[1];
    expect(second).toMatchObject({ outcome: 'failed', attempt: 2, retryOf: first?.id });
    expect(Date.parse(second?.nextAttemptAt ?? '') - Date.parse(second?.at ?? '')).toBe(120_000);
    await later(120);
    await emulator.webhooksSettled();
    // Assess
    const tries = receiver.deliveries.filter((d) => d.path === '/flaky');
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((d) => d.raw.toString())).size).toBe(1);
    expect(tries.map(iatOf).map((iat) => iat - iatOf(tries[0] as Delivery))).toEqual([0, 30, 150]);
    for (const delivery of tries) await verify(delivery);
    expect(
      emulator
        .webhooks()
        .filter((w) => w.itemId === item_id)
        .map((w) => w.outcome),
    ).toEqual(['failed', 'failed', 'delivered']);
    await later(3600);
    expect(receiver.deliveries.filter((d) => d.path === '/flaky')).toHaveLength(3);
  });

  it('gives up retrying 24 hours after the first attempt', async () => {
    const { item_id } = await linkedItem('http://127.0.0.1:9/nobody-listens');
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOCKED' });
    await emulator.webhooksSettled();
    for (const delay of [30, 120, 480, 1920, 7680, 30720, 122_880]) {
      await later(delay);
      await emulator.webhooksSettled();
    }
    const attempts = emulator.webhooks().filter((w) => w.itemId === item_id);
    // 30 s, 2 m, 8 m, 32 m, 128 m, 512 m after each other: 7 attempts within 24 hours.
    expect(attempts.map((w) => w.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(attempts.every((w) => w.outcome === 'failed')).toBe(true);
    expect(attempts.at(-1)?.nextAttemptAt).toBeUndefined();
  });

  it('writes webhook bodies with keys sorted at every level, indented 2 spaces, as Plaid sends them', async () => {
    const { item_id } = await linkedItem(`${receiver.url}/sorted`);
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await emulator.webhooksSettled();
    const raw = String(receiver.deliveries.find((d) => d.path === '/sorted')?.raw);
    const body = JSON.parse(raw);
    const sortedDeep = (value: unknown): boolean =>
      value === null || typeof value !== 'object'
        ? true
        : Array.isArray(value)
          ? value.every(sortedDeep)
          : JSON.stringify(Object.keys(value)) === JSON.stringify(Object.keys(value).sort()) &&
            Object.values(value).every(sortedDeep);
    expect(sortedDeep(body)).toBe(true);
    expect(Object.keys(body.error)[0]).toBe('causes');
    expect(raw).toBe(JSON.stringify(body, null, 2));
  });

  it('reports status.transactions: refreshes follow the clock, failures while broken, none while stale', async () => {
    // Prepare
    const { access_token, item_id } = await linkedItem();
    const status = async () => (await ok(client.itemGet({ access_token }))).status?.transactions;
    const linkedAt = (await status())?.last_successful_update;
    expect(linkedAt).toBeTruthy();
    expect((await status())?.last_failed_update).toBeNull();
    // Act: a day passes healthy
    await later(86_400);
    const fresh = Date.parse((await status())?.last_successful_update ?? '');
    // Assess: refreshed at most 6 hours ago
    expect(emulator.now().getTime() - fresh).toBeLessThanOrEqual(6 * 3600_000);
    // Stale: clean /item/get, last_successful_update stops
    const since = new Date(fresh).toISOString();
    const stale = await control('POST', `/emulator/items/${item_id}/stale`, { lastSuccessfulUpdate: since });
    expect(stale.body.staleSince).toBe(since.replace(/\.\d{3}Z$/, 'Z'));
    await later(3 * 86_400);
    const staleView = await ok(client.itemGet({ access_token }));
    expect(staleView.item.error).toBeNull();
    expect(staleView.status?.transactions).toEqual({
      last_successful_update: since.replace(/\.\d{3}Z$/, 'Z'),
      last_failed_update: null,
    });
    // Broken: failures recorded
    await control('POST', `/emulator/items/${item_id}/stale`, { lastSuccessfulUpdate: null });
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'INSTITUTION_DOWN' });
    await later(12 * 3600);
    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: null });
    const after = await status();
    expect(Date.parse(after?.last_failed_update ?? '')).toBeGreaterThan(
      Date.parse(after?.last_successful_update ?? ''),
    );
    expect(
      await control('POST', `/emulator/items/${item_id}/stale`, { lastSuccessfulUpdate: 'nope' }),
    ).toMatchObject({
      status: 400,
    });
  });

  it('reports item.update_type: a user_present_required Item gets no background refresh (Plaid’s Item.update_type)', async () => {
    // Prepare
    const { access_token, item_id } = await linkedItem();
    const get = async () => ok(client.itemGet({ access_token }));
    expect((await get()).item.update_type).toBe('background');

    // Act
    const set = await control('POST', `/emulator/items/${item_id}/update-type`, {
      updateType: 'user_present_required',
    });
    const before = (await get()).status?.transactions?.last_successful_update;
    await later(2 * 86_400);
    const after = await get();

    // Assess: Plaid updates such an Item only with the user present, so its data stops moving.
    expect(set.body).toEqual({ itemId: item_id, updateType: 'user_present_required' });
    expect(after.item.update_type).toBe('user_present_required');
    expect(after.item.error).toBeNull();
    expect(after.status?.transactions?.last_successful_update).toBe(before);
    expect(
      await control('POST', `/emulator/items/${item_id}/update-type`, { updateType: 'sometimes' }),
    ).toMatchObject({ status: 400 });
  });

  it('answers /institutions/get_by_id with the status the control set, in Plaid’s InstitutionStatus shape', async () => {
    const get = (include_status: boolean) =>
      ok(
        client.institutionsGetById({
          institution_id: 'ins_109510',
          country_codes: [CountryCode.Us],
          options: { include_status },
        }),
      );
    expect((await get(false)).institution).not.toHaveProperty('status');
    expect((await get(true)).institution.status?.item_logins?.status).toBe('HEALTHY');
    const set = await control('POST', '/emulator/institutions/ins_109510/status', { status: 'DOWN' });
    expect(set.body).toMatchObject({ institutionId: 'ins_109510', status: 'DOWN' });
    const { institution } = await get(true);
    expect(institution).toMatchObject({
      institution_id: 'ins_109510',
      name: 'Tattersall Federal Credit Union',
    });
    for (const product of [institution.status?.item_logins, institution.status?.transactions_updates]) {
      expect(product?.status).toBe('DOWN');
      expect(product?.last_status_change).toBe(set.body.lastStatusChange);
      const { success, error_plaid, error_institution } = product?.breakdown ?? {};
      expect((success ?? 0) + (error_plaid ?? 0) + (error_institution ?? 0)).toBeCloseTo(1, 5);
    }
    expect(institution.status?.transactions_updates?.breakdown.refresh_interval).toBe('STOPPED');
    expect(institution.status?.health_incidents).toHaveLength(1);
    await control('POST', '/emulator/institutions/ins_109510/status', { status: 'HEALTHY' });
    expect((await get(true)).institution.status?.health_incidents).toEqual([]);
    expect((await control('POST', '/emulator/institutions/ins_109510/status', { status: 'UP' })).status).toBe(
      400,
    );
    expect((await control('POST', '/emulator/institutions/ins_1/status', { status: 'DOWN' })).status).toBe(
      404,
    );
    const unknown = await failure(
      client.institutionsGetById({ institution_id: 'ins_1', country_codes: [CountryCode.Us] }),
    );
    expect(unknown.data.error_code).toBe('INVALID_INSTITUTION');
  });

  it('finishes Link with onSuccess-shaped metadata, and /link/token/get lists the sessions’ public tokens', async () => {
    // Prepare
    const link = await linkToken({
      webhook: `${receiver.url}/hook`,
      redirect_uri: 'https://app.example/plaid',
    });
    // Act
    const exit = await control('POST', '/emulator/link/complete', {
      linkToken: link.link_token,
      outcome: 'exit',
    });
    const done = await control('POST', '/emulator/link/complete', {
      linkToken: link.link_token,
      institutionId: 'ins_109512',
      accounts: [{ mask: '9876', name: 'Everyday' }],
    });
    // Assess: Link's onSuccess metadata (https://plaid.com/docs/link/web/#onsuccess)
    expect(done.body.metadata).toMatchObject({
      institution: { name: 'Houndstooth Bank', institution_id: 'ins_109512' },
      accounts: [{ mask: '9876', name: 'Everyday', type: 'depository', subtype: 'checking' }],
      transfer_status: null,
    });
    expect(done.body.metadata.link_session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(exit.body).toMatchObject({ error: null, metadata: { status: 'requires_credentials' } });
    const got = await ok(client.linkTokenGet({ link_token: link.link_token }));
    expect(got.metadata).toMatchObject({
      webhook: `${receiver.url}/hook`,
      redirect_uri: 'https://app.example/plaid',
    });
    expect(got.link_sessions).toHaveLength(2);
    const [exited, succeeded] = got.link_sessions ?? [];
    expect(exited?.results?.item_add_results).toEqual([]);
    expect(exited?.exit?.metadata?.link_session_id).toBe(exit.body.metadata.link_session_id);
    expect(succeeded?.link_session_id).toBe(done.body.metadata.link_session_id);
    expect(succeeded?.results?.item_add_results.map((r) => r.public_token)).toEqual([done.body.publicToken]);
    expect(succeeded?.on_success?.public_token).toBe(done.body.publicToken);
    const unknown = await failure(client.linkTokenGet({ link_token: 'link-sandbox-nope' }));
    expect(unknown.data.error_code).toBe('INVALID_LINK_TOKEN');
  });

  it('records what mobile link tokens ask for (redirect_uri, android_package_name, customization, account selection)', async () => {
    const { access_token } = await linkedItem();
    const update = await linkToken({
      access_token,
      android_package_name: 'com.example.linkguard',
      link_customization_name: 'linkguard',
      update: { account_selection_enabled: true },
    });
    const link = emulator.linkTokens().find((l) => l.token === update.link_token);
    expect(link?.request).toMatchObject({
      androidPackageName: 'com.example.linkguard',
      linkCustomizationName: 'linkguard',
      accountSelectionEnabled: true,
      redirectUri: null,
    });
    const bad = await failure(client.linkTokenCreate({ ...baseLink(), redirect_uri: 'not a url' }));
    expect(bad.data.error_code).toBe('INVALID_FIELD');
  });

  it('keeps USER_ACCOUNT_REVOKED to one account; USER_PERMISSION_REVOKED refuses update mode', async () => {
    const { access_token, item_id } = await linkedItem(`${receiver.url}/revoked`);
    const account = emulator.items().find((i) => i.itemId === item_id)?.accounts[1];
    const one = await control('POST', `/emulator/items/${item_id}/webhook`, {
      webhookCode: 'USER_ACCOUNT_REVOKED',
      accountId: account?.accountId,
    });
    expect(one.status).toBe(200);
    await emulator.webhooksSettled();
    const body = JSON.parse(String(receiver.deliveries.filter((d) => d.path === '/revoked').at(-1)?.raw));
    expect(body).toMatchObject({ webhook_code: 'USER_ACCOUNT_REVOKED', account_id: account?.accountId });
    expect((await ok(client.itemGet({ access_token }))).item.error).toBeNull();

    await control('POST', `/emulator/items/${item_id}/webhook`, { webhookCode: 'USER_PERMISSION_REVOKED' });
    expect((await ok(client.itemGet({ access_token }))).item.error?.error_code).toBe(
      'USER_PERMISSION_REVOKED',
    );
    const refused = await failure(client.linkTokenCreate({ ...baseLink(), access_token }));
    expect(refused.data).toMatchObject({ error_code: 'USER_PERMISSION_REVOKED', error_type: 'ITEM_ERROR' });
    const unknownCode = await control('POST', `/emulator/items/${item_id}/webhook`, { webhookCode: 'NOPE' });
    expect(unknownCode.status).toBe(400);
  });

  it('moves its clock only forward, by 1 s to 400 days', async () => {
    const before = (await control('GET', '/emulator/clock')).body;
    for (const advanceSeconds of [0, -5, 401 * 86_400, 'soon']) {
      expect((await control('POST', '/emulator/clock', { advanceSeconds })).status).toBe(400);
    }
    const after = await control('POST', '/emulator/clock', { advanceSeconds: 60 });
    expect(after.body.offsetSeconds).toBe(before.offsetSeconds + 60);
  });
});

it('moves with the local runtime’s clock: POST /_local/clock breaks an Item at its deadline at once', async () => {
  // Prepare: an emulator on the local runtime's shared clock, and the local routes over both
  const shared = new OffsetClock();
  const local = await startPlaidEmulator({ clientId: CLIENT_ID, secret: SECRET, now: () => shared.now() });
  try {
    const routes = localRoutes({ plaid: local, clock: shared });
    const advance = routes.find((r) => r.method === 'POST' && r.path === '/_local/clock');
    const localClient = new PlaidApi(
      new Configuration({
        basePath: local.url,
        baseOptions: { headers: { 'PLAID-CLIENT-ID': CLIENT_ID, 'PLAID-SECRET': SECRET } },
      }),
    );
    const { public_token } = await ok(
      localClient.sandboxPublicTokenCreate({
        institution_id: 'ins_109508',
        initial_products: [Products.Transactions],
        options: { webhook: `${receiver.url}/local` },
      }),
    );
    const { access_token, item_id } = await ok(localClient.itemPublicTokenExchange({ public_token }));
    await fetch(`${local.url}/emulator/items/${item_id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ webhookCode: 'PENDING_DISCONNECT' }),
    });
    // Act: a week and a minute later, by the local clock
    const moved = await advance?.handle({
      body: { advanceSeconds: 7 * 86_400 + 60 },
      query: new URLSearchParams(),
      params: [],
    });
    // Assess: the emulator saw the time move and broke the Item, with its ERROR webhook sent
    expect(moved?.status).toBe(200);
    expect(Math.abs(local.now().getTime() - shared.now().getTime())).toBeLessThan(1000);
    expect(local.webhooks().map((w) => w.webhookCode)).toEqual(['PENDING_DISCONNECT', 'ERROR']);
    expect((await ok(localClient.itemGet({ access_token }))).item.error?.error_code).toBe(
      'ITEM_LOGIN_REQUIRED',
    );
  } finally {
    await local.close();
  }
});

it('adds the configured latency to Plaid API responses', async () => {
  await control('POST', '/emulator/config', { latencyMs: 120 });
  const started = performance.now();
  await ok(
    client.webhookVerificationKeyGet({
      key_id: (await control('GET', '/emulator/webhook-keys')).body.current,
    }),
  );
  expect(performance.now() - started).toBeGreaterThanOrEqual(115);
});

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
}
interface Receiver {
  url: string;
  deliveries: Delivery[];
  /** How many more deliveries to each path are answered 500 (then 200). */
  failures: Map<string, number>;
  close(): Promise<void>;
}

/** The API's webhook endpoint, as far as these tests care: it keeps the exact bytes. */
async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const failures = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      deliveries.push({ path, headers: req.headers, raw: Buffer.concat(chunks) });
      const failing = failures.get(path) ?? 0;
      if (failing > 0) failures.set(path, failing - 1);
      res.writeHead(failing > 0 ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    failures,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
