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
import { type PlaidEmulator, startPlaidEmulator } from '../../local/emulators/plaid';

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

const linkToken = (extra: Record<string, unknown> = {}) =>
  ok(
    client.linkTokenCreate({
      client_name: 'LinkGuard',
      language: 'en',
      country_codes: [CountryCode.Us],
      user: { client_user_id: 'user-1' },
      products: [Products.Transactions],
      ...extra,
    }),
  );

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
    expect(done.body).toMatchObject({ itemId: item_id, repaired: true, webhook: 'LOGIN_REPAIRED' });
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

describe('Webhooks', () => {
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
      currentDate: now(),
      maxTokenAge: '5 min',
    });
    expect(payload.request_body_sha256).toBe(createHash('sha256').update(delivery.raw).digest('hex'));
    const body = JSON.parse(delivery.raw.toString('utf8'));
    expect(delivery.raw.toString('utf8')).toBe(JSON.stringify(body, null, 2));
    return { body, kid: header.kid as string, key };
  }

  it('sends signed ERROR, PENDING_EXPIRATION and LOGIN_REPAIRED webhooks the API can verify', async () => {
    const { access_token, item_id } = await linkedItem(`${receiver.url}/plaid`);
    receiver.deliveries.length = 0;

    await control('POST', `/emulator/items/${item_id}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    const expiry = new Date(clockMs + 3 * 86_400_000).toISOString();
    await control('POST', `/emulator/items/${item_id}/pending-expiration`, { consentExpirationTime: expiry });
    const update = await linkToken({ access_token });
    await control('POST', '/emulator/link/complete', { linkToken: update.link_token });
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
      'webhook_type',
      'webhook_code',
      'item_id',
      'error',
      'environment',
    ]);
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
  close(): Promise<void>;
}

/** The API's webhook endpoint, as far as these tests care: it keeps the exact bytes. */
async function startReceiver(): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ path: req.url ?? '/', headers: req.headers, raw: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
