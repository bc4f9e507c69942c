import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkBank, phoneUser, plaidControl } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * Plaid as the API reaches it, through a proxy that counts each path: the emulator's webhooks go
 * straight to the API, the API's calls to Plaid pass here.
 */
const plaidCalls: string[] = [];
let target = '';
let proxy: Server;
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    plaidCalls.push(req.url ?? '');
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? 'POST',
      headers: Object.fromEntries(
        Object.entries(req.headers).filter(
          (e): e is [string, string] =>
            typeof e[1] === 'string' && !['host', 'content-length'].includes(e[0]),
        ),
      ),
      ...(req.method === 'GET' ? {} : { body: Buffer.concat(chunks) }),
    });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  api = await startTestApi({
    clock,
    plaid: { now: () => clock.now() },
    env: { SMS_PER_IP_HOURLY: '1000', PLAID_BASE_URL: `http://127.0.0.1:${port}` },
  });
  target = api.plaid?.url as string;
});
afterAll(async () => {
  await api.close();
  await new Promise((resolve) => proxy.close(resolve));
});

const post = (body: string, verification: string) =>
  api.call('POST', '/v1/plaid/webhook', {
    body,
    headers: { 'content-type': 'application/json', 'Plaid-Verification': verification },
  });
const keyLookups = () => plaidCalls.filter((path) => path === '/webhook_verification_key/get').length;

/** Has the emulator sign a webhook for the Item (delivery off: the test posts it when it wants). */
async function heldWebhook(itemId: string) {
  const accessToken = api.plaid?.items().find((i) => i.itemId === itemId)?.accessToken as string;
  await fetch(`${api.plaid?.url}/sandbox/item/fire_webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: api.env.PLAID_CLIENT_ID,
      secret: api.env.PLAID_SECRET,
      access_token: accessToken,
      webhook_code: 'NEW_ACCOUNTS_AVAILABLE',
    }),
  });
  await api.plaid?.webhooksSettled();
  const sent = [...(api.plaid?.webhooks() ?? [])].reverse().find((w) => w.itemId === itemId);
  return { body: sent?.body as string, verification: sent?.verification as string };
}

describe('Webhook keys over HTTP', () => {
  it('refuses a key Plaid expired after we cached it, once the cache re-checks (within 3 minutes)', async () => {
    // Prepare: a webhook caches the signing key; a second one is signed with it and held back.
    const user = await phoneUser(api, latestCode);
    const { body: linked } = await linkBank(api, user.token);
    await plaidControl(api, '/emulator/webhooks', { enabled: false });
    const first = await heldWebhook(linked.itemId);
    const cached = await post(first.body, first.verification);
    const held = await heldWebhook(linked.itemId);
    // Act: Plaid rotates the key and expires the old one; the held webhook arrives 3 minutes later.
    await plaidControl(api, '/emulator/webhook-keys/rotate', { expirePrevious: true });
    clock.advance(3 * 60 + 1);
    const late = await post(held.body, held.verification);
    // Assess
    expect(cached.status).toBe(200);
    expect(late).toMatchObject({ status: 401, body: { code: 'INVALID_WEBHOOK_SIGNATURE' } });
  });

  it('20 webhooks with unknown kids in a row: all 401, at most one key lookup at Plaid', async () => {
    // Prepare: 20 signatures by a key Plaid never issued, each under its own kid.
    const body = JSON.stringify({ webhook_type: 'ITEM', webhook_code: 'ERROR', item_id: 'x' });
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        new SignJWT({ request_body_sha256: createHash('sha256').update(body).digest('hex') })
          .setProtectedHeader({ alg: 'ES256', kid: `forged-kid-${n}` })
          .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
          .sign(privateKey),
      ),
    );
    const before = keyLookups();
    // Act
    const statuses: number[] = [];
    for (const verification of forged) statuses.push((await post(body, verification)).status);
    // Assess
    expect(statuses).toEqual(Array(20).fill(401));
    expect(keyLookups() - before).toBeLessThanOrEqual(1);
  });
});
