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
  api = await startTestApi({
    clock,
    plaid: { now: () => clock.now() },
    env: {
      SMS_PER_IP_HOURLY: '1000',
      PLAID_REDIRECT_URI: 'https://app.example.com/plaid/oauth',
      PLAID_ANDROID_PACKAGE_NAME: 'com.example.linkguard',
      PLAID_LINK_CUSTOMIZATION_NAME: 'linkguard',
    },
  });
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
  it('refuses a second link at a bank whose Item works with 409, before exchanging it (issue 11, finding 8)', async () => {
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
    // The new public token was never exchanged: no second connection was made at the bank.
    expect(emulated.map((i) => [i.itemId === first.body.itemId, i.accessToken !== null, i.removed])).toEqual([
      [true, true, false],
      [false, false, false],
    ]);
    expect((await api.call('GET', '/v1/plaid/items', { token: user.token })).body.items).toHaveLength(1);
  });

  it('replaces a revoked Item with a new link at the same bank, carrying its history (no dead end)', async () => {
    // Prepare: linked, then the user revoked access at Plaid; the poller sees it
    const user = await phoneUser(api, latestCode);
    const old = (await linkBank(api, user.token, 'ins_109510')).body.itemId as string;
    await plaidControl(api, `/emulator/items/${old}/webhook`, { webhookCode: 'USER_PERMISSION_REVOKED' });
    await pollAll(api);
    expect((await api.call('GET', `/v1/plaid/items/${old}`, { token: user.token })).body.status).toBe(
      'revoked',
    );
    // Update mode cannot help: Plaid refuses the token
    const update = await api.call('POST', `/v1/plaid/items/${old}/link-token`, { token: user.token });
    expect(update.status).toBeGreaterThanOrEqual(400);

    // Act: a new link at the same bank
    const relinked = await linkBank(api, user.token, 'ins_109510');

    // Assess
    expect(relinked).toMatchObject({ status: 201, body: { status: 'healthy', institutionId: 'ins_109510' } });
    const fresh = relinked.body.itemId as string;
    expect(fresh).not.toBe(old);
    expect((await api.call('GET', `/v1/plaid/items/${old}`, { token: user.token })).status).toBe(404);
    const items = (await api.call('GET', '/v1/plaid/items', { token: user.token })).body.items;
    expect(items.map((i: { itemId: string }) => i.itemId)).toEqual([fresh]);
    const events = await history(user.token, fresh);
    // Both `linked` entries (the carried one and the new one) may share an instant: compare as sets.
    const linkedDetails = events.filter((e) => e.type === 'linked').map((e) => String(e.detail ?? ''));
    expect(linkedDetails.sort()).toEqual(['', `replaces ${old}`]);
    expect(events.some((e) => e.type === 'status_changed' && e.to === 'revoked')).toBe(true);
    expect(api.plaid?.items().find((i) => i.itemId === old)?.removed).toBe(true);
  });

  it('refuses a public token redeemed by another user with 403 LINK_TOKEN_MISMATCH, never exchanging it (issue 10, finding 7)', async () => {
    // Prepare: the victim opens Link and finishes it; the attacker has the public token
    const victim = await phoneUser(api, latestCode);
    const attacker = await phoneUser(api, latestCode);
    const victimLink = (await api.call('POST', '/v1/plaid/link-token', { token: victim.token })).body
      .linkToken;
    const attackerLink = (await api.call('POST', '/v1/plaid/link-token', { token: attacker.token })).body
      .linkToken;
    const done = await plaidControl(api, '/emulator/link/complete', { linkToken: victimLink });
    const publicToken = done.body.publicToken as string;

    // Act: with the attacker's own link token, and with the victim's
    const withOwn = await api.call('POST', '/v1/plaid/items', {
      token: attacker.token,
      json: { publicToken, linkToken: attackerLink },
    });
    const withVictims = await api.call('POST', '/v1/plaid/items', {
      token: attacker.token,
      json: { publicToken, linkToken: victimLink },
    });

    // Assess
    for (const refused of [withOwn, withVictims])
      expect(refused).toMatchObject({ status: 403, body: { code: 'LINK_TOKEN_MISMATCH' } });
    expect(api.plaid?.items().find((i) => i.itemId === done.body.itemId)?.accessToken).toBeNull();
    expect((await api.call('GET', '/v1/plaid/items', { token: attacker.token })).body.items).toEqual([]);
    const own = await api.call('POST', '/v1/plaid/items', {
      token: victim.token,
      json: { publicToken, linkToken: victimLink },
    });
    expect(own.status).toBe(201);
  });

  it('sets link tokens up for mobile: platform picks the OAuth return, update mode asks for account selection and sends no webhook', async () => {
    const user = await phoneUser(api, latestCode);
    const requestOf = (linkToken: string) =>
      api.plaid?.linkTokens().find((l) => l.token === linkToken)?.request;
    const android = await api.call('POST', '/v1/plaid/link-token', {
      token: user.token,
      json: { platform: 'android' },
    });
    expect(requestOf(android.body.linkToken)).toMatchObject({
      androidPackageName: 'com.example.linkguard',
      redirectUri: null,
      linkCustomizationName: 'linkguard',
      webhookGiven: expect.stringContaining('/v1/plaid/webhook'),
    });
    const ios = await api.call('POST', '/v1/plaid/link-token', {
      token: user.token,
      json: { platform: 'ios' },
    });
    expect(requestOf(ios.body.linkToken)).toMatchObject({
      androidPackageName: null,
      redirectUri: 'https://app.example.com/plaid/oauth',
    });
    const bad = await api.call('POST', '/v1/plaid/link-token', {
      token: user.token,
      json: { platform: 'windows' },
    });
    expect(bad).toMatchObject({ status: 422, body: { code: 'VALIDATION_FAILED' } });

    const { body } = await linkBank(api, user.token, 'ins_109509');
    await plaidControl(api, `/emulator/items/${body.itemId}/error`, { errorCode: 'NO_ACCOUNTS' });
    await pollAll(api);
    const update = await api.call('POST', `/v1/plaid/items/${body.itemId}/link-token`, {
      token: user.token,
      json: { platform: 'web' },
    });
    expect(requestOf(update.body.linkToken)).toMatchObject({
      accountSelectionEnabled: true,
      webhookGiven: null,
      redirectUri: 'https://app.example.com/plaid/oauth',
    });
  });

  it('link token: 503 PLAID_UNAVAILABLE with Retry-After when Plaid fails (api.md says 502 here; the deviation is in bank-links.md)', async () => {
    // Prepare
    const user = await phoneUser(api, latestCode);
    await plaidControl(api, '/emulator/outage', {
      path: '/link/token/create',
      errorCode: 'INTERNAL_SERVER_ERROR',
      times: 1,
    });

    // Act
    const failed = await api.call('POST', '/v1/plaid/link-token', {
      token: user.token,
      json: { platform: 'ios' },
    });
    const next = await api.call('POST', '/v1/plaid/link-token', {
      token: user.token,
      json: { platform: 'ios' },
    });

    // Assess: the same status and Retry-After as every other route that meets a Plaid failure
    expect(failed).toMatchObject({ status: 503, body: { code: 'PLAID_UNAVAILABLE', status: 503 } });
    expect(failed.headers.get('retry-after')).toBe('30');
    expect(next).toMatchObject({ status: 200, body: { linkToken: expect.any(String) } });
  });

  it('repair: 503 PLAID_UNAVAILABLE with Retry-After when Plaid is rate-limited or failing, and Link’s metadata in the history', async () => {
    // Prepare: broken, then repaired in update mode
    const user = await phoneUser(api, latestCode);
    const itemId = (await linkBank(api, user.token, 'ins_109512')).body.itemId as string;
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await pollAll(api);
    const update = await api.call('POST', `/v1/plaid/items/${itemId}/link-token`, { token: user.token });
    const done = await plaidControl(api, '/emulator/link/complete', { linkToken: update.body.linkToken });
    const repair = (metadata?: Record<string, unknown>) =>
      api.call('POST', `/v1/plaid/items/${itemId}/repair`, {
        token: user.token,
        ...(metadata === undefined ? {} : { json: { metadata } }),
      });

    // Act + Assess: Plaid rate-limits the check
    await plaidControl(api, '/emulator/config', { itemGetLimitPerMinute: 0 });
    try {
      const limited = await repair();
      expect(limited).toMatchObject({ status: 503, body: { code: 'PLAID_UNAVAILABLE' } });
      expect(limited.headers.get('retry-after')).toBe('30');
    } finally {
      await plaidControl(api, '/emulator/config', { itemGetLimitPerMinute: 15 });
    }
    // Plaid fails with a 5xx
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'INTERNAL_SERVER_ERROR' });
    expect(await repair()).toMatchObject({ status: 503, body: { code: 'PLAID_UNAVAILABLE' } });
    expect((await api.call('GET', `/v1/plaid/items/${itemId}`, { token: user.token })).body.status).toBe(
      'login_required',
    );
    // Plaid answers: healthy, with Link's onSuccess metadata recorded
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: null });
    const metadata = done.body.metadata as { link_session_id: string };
    const ok = await repair({ linkSessionId: metadata.link_session_id, institutionId: 'ins_109512' });
    expect(ok).toMatchObject({ status: 200, body: { status: 'healthy' } });
    const events = await history(user.token, itemId);
    expect(events.filter((e) => e.type === 'link_session')).toMatchObject([
      { source: 'repair', linkSessionId: metadata.link_session_id, detail: 'success' },
    ]);
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

  it('answers 422 without a link token, and 403 for a public token Link did not give this user', async () => {
    const user = await phoneUser(api, latestCode);
    const missing = await api.call('POST', '/v1/plaid/items', {
      token: user.token,
      json: { publicToken: 'public-sandbox-nope' },
    });
    expect(missing.body).toMatchObject({ status: 422, errors: [{ path: 'linkToken' }] });
    const { linkToken } = (await api.call('POST', '/v1/plaid/link-token', { token: user.token })).body;
    const forged = await api.call('POST', '/v1/plaid/items', {
      token: user.token,
      json: { publicToken: 'public-sandbox-nope', linkToken },
    });
    expect(forged.body).toMatchObject({ status: 403, code: 'LINK_TOKEN_MISMATCH' });
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
