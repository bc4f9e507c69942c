import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { linkBank, phoneUser, plaidControl, pollAll, renew } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  // The emulator shares the clock, as /_local/clock moves both: Plaid's data timestamps follow it.
  api = await startTestApi({ clock, plaid: { now: () => clock.now() }, env: { SMS_PER_IP_HOURLY: '1000' } });
  // Webhooks are the next issue's; here the poller alone must notice everything.
  await plaidControl(api, '/emulator/webhooks', { enabled: false });
});
afterAll(async () => {
  await api.close();
});

const alertsFor = (itemId: string, channel: 'sms' | 'topic') =>
  localOutbox.messages.filter(
    (m) => m.channel === channel && (channel === 'sms' || m.attributes.itemId === itemId),
  );
const history = async (token: string, itemId: string) =>
  (await api.call('GET', `/v1/plaid/items/${itemId}/events`, { token })).body.events as {
    type: string;
    [k: string]: unknown;
  }[];

describe('The whole story', () => {
  it('link → healthy → broken → one alert → reminder after a day → update mode → repair → restored', async () => {
    const user = await phoneUser(api, latestCode);
    const linked = await linkBank(api, user.token);
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({
      status: 'healthy',
      needsAction: false,
      institutionName: 'First Platypus Bank',
    });
    const itemId = linked.body.itemId as string;
    const smsBefore = localOutbox.messages.filter((m) => m.channel === 'sms' && m.to === user.phone).length;

    expect(await pollAll(api)).toMatchObject({ checked: expect.any(Number) });
    expect((await api.call('GET', `/v1/plaid/items/${itemId}`, { token: user.token })).body.status).toBe(
      'healthy',
    );

    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await pollAll(api);
    const broken = (await api.call('GET', `/v1/plaid/items/${itemId}`, { token: user.token })).body;
    expect(broken).toMatchObject({
      status: 'login_required',
      needsAction: true,
      reason: 'Your bank needs you to sign in again.',
    });
    const sms = () =>
      localOutbox.messages.filter((m) => m.channel === 'sms' && m.to === user.phone).slice(smsBefore);
    expect(sms()).toHaveLength(1);
    expect(sms()[0]?.message).toContain('First Platypus Bank');
    expect(sms()[0]?.message).not.toMatch(/access-|secret|token/i);
    expect(alertsFor(itemId, 'topic')).toHaveLength(1);
    expect(alertsFor(itemId, 'topic')[0]?.attributes).toMatchObject({
      eventType: 'item.needs_action',
      userId: user.userId,
    });

    await pollAll(api);
    expect(sms()).toHaveLength(1);
    expect(alertsFor(itemId, 'topic')).toHaveLength(1);

    clock.advance(86400 + 60);
    await pollAll(api);
    expect(sms()).toHaveLength(2);
    expect(sms()[1]?.message).toMatch(/^LinkGuard reminder:/);
    expect(alertsFor(itemId, 'topic').map((m) => m.attributes.eventType)).toEqual([
      'item.needs_action',
      'item.reminder',
    ]);

    await renew(api, user); // a day later the 15-minute access token has long expired
    const stillBroken = await api.call('POST', `/v1/plaid/items/${itemId}/repair`, { token: user.token });
    expect(stillBroken).toMatchObject({
      status: 409,
      body: { code: 'STILL_BROKEN', item: { status: 'login_required' } },
    });

    const update = await api.call('POST', `/v1/plaid/items/${itemId}/link-token`, { token: user.token });
    expect(update.body.linkToken).toMatch(/^link-sandbox-/);
    expect(
      (await plaidControl(api, '/emulator/link/complete', { linkToken: update.body.linkToken })).body,
    ).toMatchObject({ repaired: true });
    const repaired = await api.call('POST', `/v1/plaid/items/${itemId}/repair`, { token: user.token });
    expect(repaired).toMatchObject({ status: 200, body: { status: 'healthy', needsAction: false } });
    expect(alertsFor(itemId, 'topic').at(-1)?.attributes.eventType).toBe('item.restored');

    const events = await history(user.token, itemId);
    // Events share timestamps under the frozen clock, so compare them as a set of lines.
    expect(events.map((e) => [e.type, e.source ?? e.detail, e.to ?? e.step].join(' ')).sort()).toEqual(
      [
        'linked link healthy',
        'status_changed poll login_required',
        'alert_sent topic alert',
        'alert_sent sms alert',
        'alert_sent topic reminder-1',
        'alert_sent sms reminder-1',
        'status_changed repair healthy',
        'restored repair healthy',
        'alert_sent topic restored',
      ].sort(),
    );

    await pollAll(api);
    clock.advance(3 * 86400);
    await pollAll(api);
    expect(sms()).toHaveLength(2);
  });
});

describe('What never alerts', () => {
  it('an institution outage: status error, no alert, next check backed off', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token, 'ins_109509');
    await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'INSTITUTION_DOWN' });
    await pollAll(api);
    const item = (await api.call('GET', `/v1/plaid/items/${body.itemId}`, { token: user.token })).body;
    expect(item).toMatchObject({ status: 'error', needsAction: false, error: { code: 'INSTITUTION_DOWN' } });
    expect(alertsFor(body.itemId, 'topic')).toHaveLength(0);
    const { plaidItems } = await import('../../functions/composition/bank-links');
    const stored = await plaidItems().get(body.itemId);
    const wait = Date.parse(stored?.nextCheckAt ?? '') - clock.now().getTime();
    expect(wait).toBeGreaterThan(13 * 60_000);
    expect(wait).toBeLessThan(17 * 60_000);
  });

  it('a Plaid rate limit: no status change, retried later', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token, 'ins_109510');
    await plaidControl(api, '/emulator/config', { itemGetLimitPerMinute: 0 });
    await pollAll(api);
    await plaidControl(api, '/emulator/config', { itemGetLimitPerMinute: 15 });
    const item = (await api.call('GET', `/v1/plaid/items/${body.itemId}`, { token: user.token })).body;
    expect(item.status).toBe('healthy');
    expect(await history(user.token, body.itemId)).toHaveLength(1);
  });
});

describe('Linking rules', () => {
  it('refuses a second Item for the same bank with 409 and removes the duplicate at Plaid', async () => {
    const user = await phoneUser(api, latestCode);
    const first = await linkBank(api, user.token, 'ins_109511');
    const second = await linkBank(api, user.token, 'ins_109511');
    expect(second).toMatchObject({
      status: 409,
      body: { code: 'INSTITUTION_ALREADY_LINKED', itemId: first.body.itemId },
    });
    const emulated =
      api.plaid?.items().filter((i) => i.institutionId === 'ins_109511' && i.clientUserId === user.userId) ??
      [];
    expect(emulated.filter((i) => !i.removed).map((i) => i.itemId)).toEqual([first.body.itemId]);
    expect((await api.call('GET', '/v1/plaid/items', { token: user.token })).body.items).toHaveLength(1);
  });

  it("answers 404 for another user's Item, on every route", async () => {
    const owner = await phoneUser(api, latestCode);
    const other = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, owner.token, 'ins_109512');
    for (const [method, path] of [
      ['GET', ''],
      ['POST', '/link-token'],
      ['POST', '/repair'],
      ['GET', '/events'],
      ['DELETE', ''],
    ] as const) {
      const r = await api.call(method, `/v1/plaid/items/${body.itemId}${path}`, { token: other.token });
      expect(r).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    }
  });

  it('keeps access tokens as ciphertext bound to the item id', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token);
    const { table } = await import('../../functions/composition/accounts');
    const t = table();
    const raw = (
      await t.client.send(
        new GetCommand({ TableName: t.name, Key: { pk: `ITEM#${body.itemId}`, sk: 'ITEM' } }),
      )
    ).Item;
    const plain = api.plaid?.items().find((i) => i.itemId === body.itemId)?.accessToken as string;
    expect(plain).toMatch(/^access-sandbox-/);
    expect(JSON.stringify(raw)).not.toContain(plain);
    expect(raw?.accessTokenCiphertext).toMatch(/^v1:/);
    const { EnvelopeTokenCipher, LocalKeyWrapper } = await import('../../functions/adapters/token-cipher');
    const { FileSecretSource } = await import('../../functions/adapters/secret-sources');
    const cipher = new EnvelopeTokenCipher(
      new LocalKeyWrapper(new FileSecretSource(api.env.TOKEN_KEY_FILE as string)),
    );
    expect(await cipher.decrypt(raw?.accessTokenCiphertext, body.itemId)).toBe(plain);
    await expect(cipher.decrypt(raw?.accessTokenCiphertext, 'another-item')).rejects.toThrow();
    expect(
      JSON.stringify((await api.call('GET', `/v1/plaid/items/${body.itemId}`, { token: user.token })).body),
    ).not.toContain(plain);
  });

  it('removes an Item at Plaid and here', async () => {
    const user = await phoneUser(api, latestCode);
    const { body } = await linkBank(api, user.token);
    expect((await api.call('DELETE', `/v1/plaid/items/${body.itemId}`, { token: user.token })).status).toBe(
      204,
    );
    expect(api.plaid?.items().find((i) => i.itemId === body.itemId)?.removed).toBe(true);
    expect((await api.call('GET', `/v1/plaid/items/${body.itemId}`, { token: user.token })).status).toBe(404);
    expect((await linkBank(api, user.token)).status).toBe(201);
  });

  it('answers 422 for a bad public token and 502 when Plaid is down', async () => {
    const user = await phoneUser(api, latestCode);
    const bad = await api.call('POST', '/v1/plaid/items', {
      token: user.token,
      json: { publicToken: 'public-sandbox-nope' },
    });
    expect(bad.body).toMatchObject({ status: 422, errors: [{ path: 'publicToken' }] });
  });
});

describe('Email alerts', () => {
  it('subscribes an email with a userId filter, and alerts reach it', async () => {
    const user = await phoneUser(api, latestCode);
    const patched = await api.call('PATCH', '/v1/me', {
      token: user.token,
      json: { email: 'mei@example.com' },
    });
    expect(patched.body).toMatchObject({ email: 'mei@example.com', emailConfirmed: false });
    expect(localOutbox.emailSubscriptions.get(user.userId)).toEqual(['mei@example.com']);
    // Alerts reach only a confirmed address: follow the link in the confirmation mail.
    const confirmation = localOutbox.messages.findLast(
      (m) => m.to === 'mei@example.com' && m.attributes.kind === 'subscription-confirmation',
    );
    const link = confirmation?.message.match(/(\/_local\/email\/confirm\?token=[\w-]+)/)?.[1];
    expect((await api.call('GET', link as string)).status).toBe(200);
    const { body } = await linkBank(api, user.token, 'ins_109512');
    await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'ITEM_LOCKED' });
    await pollAll(api);
    const mails = localOutbox.messages.filter((m) => m.channel === 'email' && m.to === 'mei@example.com');
    expect(mails.at(-1)?.message).toContain('Your bank account is locked');

    await api.call('PATCH', '/v1/me', { token: user.token, json: { notifications: { email: false } } });
    expect(localOutbox.emailSubscriptions.get(user.userId)).toEqual([]);
  });
});
