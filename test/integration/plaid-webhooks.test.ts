import { createHash } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { linkBank, phoneUser, plaidControl, pollAll } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  api = await startTestApi({ clock, plaid: { now: () => clock.now() }, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

const post = (body: string, verification?: string) =>
  api.call('POST', '/v1/plaid/webhook', {
    body,
    headers: {
      'content-type': 'application/json',
      ...(verification === undefined ? {} : { 'Plaid-Verification': verification }),
    },
  });
const sent = () => api.plaid?.webhooks() ?? [];
/**
 * The newest webhook of a code for an Item, once the emulator has signed and delivered what it
 * started: its signature is computed asynchronously, so reading it earlier can find none.
 */
const lastWebhook = async (itemId: string, code: string) => {
  await api.plaid?.webhooksSettled();
  return [...sent()].reverse().find((w) => w.itemId === itemId && w.webhookCode === code);
};
const setDelivery = (enabled: boolean) => plaidControl(api, '/emulator/webhooks', { enabled });
const item = async (token: string, itemId: string) =>
  (await api.call('GET', `/v1/plaid/items/${itemId}`, { token })).body;
const smsTo = (phone: string) =>
  localOutbox.messages.filter(
    (m) => m.channel === 'sms' && m.to === phone && m.message.startsWith('LinkGuard'),
  );
async function brokenByWebhook() {
  const user = await phoneUser(api, latestCode);
  const { body } = await linkBank(api, user.token);
  await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
  await api.plaid?.webhooksSettled();
  return { user, itemId: body.itemId as string };
}

describe('A break arriving by webhook', () => {
  it('sets login_required and sends one SMS, with no poller pass', async () => {
    const { user, itemId } = await brokenByWebhook();
    expect(await lastWebhook(itemId, 'ERROR')).toMatchObject({ outcome: 'delivered', status: 200 });
    expect(await item(user.token, itemId)).toMatchObject({ status: 'login_required', needsAction: true });
    expect(smsTo(user.phone)).toHaveLength(1);
  });
});

describe('Verification', () => {
  const forge = async (body: string, options: { kid: string; alg?: 'ES256' | 'HS256'; iat?: number }) => {
    const claims = { request_body_sha256: createHash('sha256').update(body).digest('hex') };
    const iat = options.iat ?? Math.floor(clock.now().getTime() / 1000);
    if (options.alg === 'HS256') {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: options.kid })
        .setIssuedAt(iat)
        .sign(new TextEncoder().encode('guess'));
    }
    const { privateKey } = await generateKeyPair('ES256');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: options.kid })
      .setIssuedAt(iat)
      .sign(privateKey);
  };

  it('accepts Plaid’s own signature over the exact bytes, and refuses every forgery with 401', async () => {
    const { itemId } = await brokenByWebhook();
    const webhook = await lastWebhook(itemId, 'ERROR');
    const body = webhook?.body as string;
    const jwt = webhook?.verification as string;
    const kid = webhook?.kid as string;
    expect((await post(body, jwt)).status).toBe(200);

    const header = Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url');
    const attempts: [string, string, string | undefined][] = [
      ['missing header', body, undefined],
      ['a wrong key', body, await forge(body, { kid })],
      ['HS256', body, await forge(body, { kid, alg: 'HS256' })],
      ['alg none', body, `${header}.${jwt.split('.')[1]}.`],
      ['one byte of the body changed', body.replace('ITEM_LOGIN_REQUIRED', 'ITEM_LOGIN_REQUIREE'), jwt],
      ['the body re-serialised', JSON.stringify(JSON.parse(body)), jwt],
      ['an unknown kid', body, await forge(body, { kid: 'no-such-kid' })],
      ['an unknown kid, again', body, await forge(body, { kid: 'no-such-kid' })],
    ];
    for (const [name, payload, verification] of attempts) {
      const r = await post(payload, verification);
      expect({ name, status: r.status, code: r.body.code }).toEqual({
        name,
        status: 401,
        code: 'INVALID_WEBHOOK_SIGNATURE',
      });
    }
  });

  it('refuses a signature older than 5 minutes', async () => {
    const { itemId } = await brokenByWebhook();
    const webhook = await lastWebhook(itemId, 'ERROR');
    clock.advance(6 * 60);
    const r = await post(webhook?.body as string, webhook?.verification as string);
    expect(r).toMatchObject({ status: 401, body: { code: 'INVALID_WEBHOOK_SIGNATURE' } });
  });

  it('refuses a key whose expired_at is set', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token);
    await plaidControl(api, '/emulator/webhook-keys/rotate', {}); // a key we have never fetched signs now
    await setDelivery(false);
    await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await plaidControl(api, '/emulator/webhook-keys/rotate', { expirePrevious: true });
    await setDelivery(true);
    const webhook = await lastWebhook(body.itemId, 'ERROR');
    const r = await post(webhook?.body as string, webhook?.verification as string);
    expect(r).toMatchObject({ status: 401, body: { code: 'INVALID_WEBHOOK_SIGNATURE' } });
    expect(await item(user.token, body.itemId)).toMatchObject({ status: 'healthy' });
  });
});

describe('Ordering and duplicates', () => {
  it('applies a duplicate delivery once: one event, one alert', async () => {
    const { user, itemId } = await brokenByWebhook();
    const webhook = await lastWebhook(itemId, 'ERROR');
    await plaidControl(api, `/emulator/webhooks/${webhook?.id}/resend`);
    await plaidControl(api, `/emulator/webhooks/${webhook?.id}/resend`);
    await api.plaid?.webhooksSettled();
    const events = (await api.call('GET', `/v1/plaid/items/${itemId}/events`, { token: user.token })).body
      .events as { type: string }[];
    expect(events.filter((e) => e.type === 'status_changed')).toHaveLength(1);
    expect(smsTo(user.phone)).toHaveLength(1);
  });

  it('ends healthy when LOGIN_REPAIRED arrives before an older ERROR', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token);
    await setDelivery(false);
    await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    clock.advance(2);
    // Repaired outside the app: Plaid sends LOGIN_REPAIRED only then (never for an in-app repair).
    await plaidControl(api, `/emulator/items/${body.itemId}/webhook`, { webhookCode: 'LOGIN_REPAIRED' });
    await setDelivery(true);
    const error = await lastWebhook(body.itemId, 'ERROR');
    const repaired = await lastWebhook(body.itemId, 'LOGIN_REPAIRED');
    expect((await post(repaired?.body as string, repaired?.verification as string)).status).toBe(200);
    expect((await post(error?.body as string, error?.verification as string)).status).toBe(200);
    expect(await item(user.token, body.itemId)).toMatchObject({ status: 'healthy' });
    expect(smsTo(user.phone)).toHaveLength(0);
  });

  it('sends one alert when a webhook and a poll report the same break at once', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token);
    await setDelivery(false);
    await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await setDelivery(true);
    const error = await lastWebhook(body.itemId, 'ERROR');
    await Promise.all([post(error?.body as string, error?.verification as string), pollAll(api)]);
    expect(await item(user.token, body.itemId)).toMatchObject({ status: 'login_required' });
    expect(smsTo(user.phone)).toHaveLength(1);
    const topic = localOutbox.messages.filter(
      (m) => m.channel === 'topic' && m.attributes.itemId === body.itemId,
    );
    expect(topic).toHaveLength(1);
  });
});

describe('Other webhooks', () => {
  it('records NEW_ACCOUNTS_AVAILABLE and answers 200 to codes it does not act on', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token);
    const token = api.plaid?.items().find((i) => i.itemId === body.itemId)?.accessToken as string;
    const fire = (code: string) =>
      fetch(`${api.plaid?.url}/sandbox/item/fire_webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_id: api.env.PLAID_CLIENT_ID,
          secret: api.env.PLAID_SECRET,
          access_token: token,
          webhook_code: code,
        }),
      });
    expect((await fire('NEW_ACCOUNTS_AVAILABLE')).status).toBe(200);
    await api.plaid?.webhooksSettled();
    expect(await lastWebhook(body.itemId, 'NEW_ACCOUNTS_AVAILABLE')).toMatchObject({ status: 200 });
    const events = (await api.call('GET', `/v1/plaid/items/${body.itemId}/events`, { token: user.token }))
      .body.events;
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'webhook_received', detail: 'NEW_ACCOUNTS_AVAILABLE' }),
    );
    expect(await item(user.token, body.itemId)).toMatchObject({ status: 'healthy' });
  });

  it('re-points Items to a new webhook URL at their next check', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token);
    const { configureRuntime } = await import('../../functions/composition/runtime');
    const moved = `${api.url}/v1/plaid/webhook?moved=1`;
    configureRuntime({ env: { ...api.env, PLAID_WEBHOOK_URL: moved }, clock });
    await pollAll(api);
    await api.plaid?.webhooksSettled();
    expect(api.plaid?.items().find((i) => i.itemId === body.itemId)?.webhook).toBe(moved);
    expect(await lastWebhook(body.itemId, 'WEBHOOK_UPDATE_ACKNOWLEDGED')).toMatchObject({
      url: moved,
      status: 200,
    });
    configureRuntime({ env: api.env, clock });
  });
});
