import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkBank, phoneUser, plaidControl, pollAll, renew } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * The scenario matrix over the real runtime: the local API, the poller and the Plaid emulator
 * (which behaves as Plaid does: deadlines break Items, webhooks are signed and delivered),
 * sharing one clock. Each row is the emulator's events, poller passes and clock moves; it
 * asserts what the API shows and the alerts and history it recorded. The full matrix, row for
 * row, runs in the domain in test/unit/item-scenario-matrix.test.ts.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
const DAY = 86400;

beforeAll(async () => {
  api = await startTestApi({
    clock,
    plaid: { now: () => clock.now(), itemGetLimitPerMinute: 10_000 },
    env: { SMS_PER_IP_HOURLY: '1000' },
  });
});
afterAll(async () => {
  await api.close();
});

/** Plaid changes something; its webhook (if any) is delivered before we go on. */
const plaid = async (path: string, body: unknown = {}) => {
  const answer = await plaidControl(api, path, body);
  expect(answer.status, path).toBe(200);
  await api.plaid?.webhooksSettled();
};
/** Time passes for the API, the poller and Plaid alike. */
const later = async (seconds: number) => {
  clock.advance(seconds);
  await api.plaid?.tick();
  await api.plaid?.webhooksSettled();
};
const poll = () => pollAll(api);

async function linked(institutionId = 'ins_109508') {
  const user = await phoneUser(api, latestCode);
  const { body } = await linkBank(api, user.token, institutionId);
  return { user, itemId: body.itemId as string };
}
type User = Awaited<ReturnType<typeof phoneUser>>;
/** The app calls with a fresh access token (they live 15 minutes; days pass here). */
async function as(user: User) {
  await renew(api, user);
  return user.token;
}
const itemOf = async (user: User, itemId: string) =>
  (await api.call('GET', `/v1/plaid/items/${itemId}`, { token: await as(user) })).body;
async function historyOf(user: User, itemId: string) {
  const token = await as(user);
  const events: { type: string; from?: string; to?: string; step?: string; detail?: string }[] = [];
  let cursor: string | undefined;
  do {
    const query = cursor === undefined ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    const { body } = await api.call('GET', `/v1/plaid/items/${itemId}/events${query}`, { token });
    events.push(...body.events);
    cursor = body.nextCursor;
  } while (cursor !== undefined);
  return {
    /** `<channel>:<step>`, sorted (events of one instant share a timestamp). */
    alerts: events
      .filter((e) => e.type === 'alert_sent')
      .map((e) => `${e.detail}:${e.step}`)
      .sort(),
    transitions: events
      .filter((e) => e.type === 'status_changed')
      .map((e) => `${e.from}→${e.to}`)
      .sort(),
    types: new Set(events.map((e) => e.type)),
  };
}
const both = (step: string) => [`sms:${step}`, `topic:${step}`];
/** The user goes through update mode in the app: a link token, Link, then the repair call. */
async function repairInApp(user: User, itemId: string) {
  const update = await api.call('POST', `/v1/plaid/items/${itemId}/link-token`, { token: await as(user) });
  expect(update.status).toBe(200);
  await plaid('/emulator/link/complete', { linkToken: update.body.linkToken });
  return api.call('POST', `/v1/plaid/items/${itemId}/repair`, { token: await as(user) });
}
/** The newest text message to the user's phone. */
const lastSmsTo = async (user: User) =>
  (
    (await api.call('GET', '/_local/outbox')).body.messages as {
      channel: string;
      to: string;
      message: string;
    }[]
  )
    .filter((m) => m.channel === 'sms' && m.to === user.phone)
    .at(-1)?.message;

describe('Scenario matrix over HTTP (local API, poller and Plaid emulator on one clock)', () => {
  it('PENDING_DISCONNECT: pending through a clean poll, countdown; at the deadline broken, one reminder', async () => {
    // Prepare
    const { user, itemId } = await linked();

    // Act: Plaid warns; a clean poll an hour later
    await plaid(`/emulator/items/${itemId}/webhook`, { webhookCode: 'PENDING_DISCONNECT' });
    await later(3600);
    await poll();

    // Assess
    const pending = await itemOf(user, itemId);
    expect(pending).toMatchObject({ status: 'pending_disconnect', needsAction: true, repairMode: 'update' });
    expect(pending.disconnectAt).toEqual(expect.any(String));
    expect((await historyOf(user, itemId)).alerts).toEqual([...both('days-7')].sort());

    // Act: the deadline passes
    await later(7 * DAY);
    await poll();

    // Assess
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'login_required', needsAction: true });
    const after = await historyOf(user, itemId);
    expect(after.transitions).toEqual(['healthy→pending_disconnect', 'pending_disconnect→login_required']);
    expect(after.alerts).toEqual([...both('days-7'), ...both('reminder-7')].sort());
    expect(after.types.has('restored')).toBe(false);
  });

  it('PENDING_EXPIRATION renewed through update mode: healthy, consent moved later, one "restored"', async () => {
    // Prepare
    const { user, itemId } = await linked();
    const consent = new Date(clock.now().getTime() + 7 * DAY * 1000).toISOString();
    await plaid(`/emulator/items/${itemId}/pending-expiration`, { consentExpirationTime: consent });
    await poll();
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'pending_expiration' });

    // Act
    await later(2 * DAY);
    const update = await api.call('POST', `/v1/plaid/items/${itemId}/link-token`, { token: await as(user) });
    await plaid('/emulator/link/complete', { linkToken: update.body.linkToken });
    const repaired = await api.call('POST', `/v1/plaid/items/${itemId}/repair`, { token: await as(user) });

    // Assess
    expect(repaired).toMatchObject({ status: 200, body: { status: 'healthy', needsAction: false } });
    expect(repaired.body.consentExpiresAt > consent).toBe(true);
    const { alerts } = await historyOf(user, itemId);
    expect(alerts).toEqual([...both('days-7'), 'topic:restored'].sort());
  });

  it('USER_PERMISSION_REVOKED: revoked, relink (409 RELINK_REQUIRED, not 502), one notice, no reminders', async () => {
    // Prepare
    const { user, itemId } = await linked();

    // Act
    await plaid(`/emulator/items/${itemId}/webhook`, { webhookCode: 'USER_PERMISSION_REVOKED' });
    for (const days of [1, 3, 7]) {
      await later(days * DAY);
      await poll();
    }
    const update = await api.call('POST', `/v1/plaid/items/${itemId}/link-token`, { token: await as(user) });

    // Assess
    expect(update).toMatchObject({
      status: 409,
      body: { code: 'RELINK_REQUIRED', item: { itemId, status: 'revoked', repairMode: 'relink' } },
    });
    expect(await itemOf(user, itemId)).toMatchObject({
      status: 'revoked',
      needsAction: true,
      repairMode: 'relink',
    });
    expect((await historyOf(user, itemId)).alerts).toEqual(['topic:notice']);
  });

  it('USER_ACCOUNT_REVOKED: one account, not the Item: healthy, no alert, recorded', async () => {
    // Prepare
    const { user, itemId } = await linked();

    // Act
    await plaid(`/emulator/items/${itemId}/webhook`, { webhookCode: 'USER_ACCOUNT_REVOKED' });
    await later(3600);
    await poll();

    // Assess
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'healthy', needsAction: false });
    const history = await historyOf(user, itemId);
    expect(history.alerts).toEqual([]);
    expect(history.types.has('account_revoked')).toBe(true);
  });

  it('LOGIN_REPAIRED (outside the app): confirmed with /item/get, one "restored"', async () => {
    // Prepare
    const { user, itemId } = await linked();
    await plaid(`/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });

    // Act
    await later(3600);
    await plaid(`/emulator/items/${itemId}/webhook`, { webhookCode: 'LOGIN_REPAIRED' });

    // Assess
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'healthy', needsAction: false });
    expect((await historyOf(user, itemId)).alerts).toEqual([...both('alert'), 'topic:restored'].sort());
  });

  it('Staleness: no new data for 3 days while Plaid reports no error: staleSince, one alert', async () => {
    // Prepare
    const { user, itemId } = await linked('ins_109509');

    // Act
    await plaid(`/emulator/items/${itemId}/stale`, {});
    await later(2 * DAY);
    await poll();
    const fresh = await itemOf(user, itemId);
    await later(DAY + 3600);
    await poll();
    await later(DAY);
    await poll();

    // Assess
    expect(fresh.staleSince).toBeUndefined();
    const stale = await itemOf(user, itemId);
    expect(stale).toMatchObject({ status: 'healthy', needsAction: false, staleSince: expect.any(String) });
    expect(Date.parse(stale.lastSyncAt)).toBeLessThan(clock.now().getTime() - 3 * DAY * 1000);
    expect((await historyOf(user, itemId)).alerts).toEqual(both('stale').sort());
  });

  it('Outage with a break (institution DEGRADED): "sign in again" held, sent once it is back', async () => {
    // Prepare
    const { user, itemId } = await linked('ins_109511');
    await plaid('/emulator/institutions/ins_109511/status', { status: 'DEGRADED' });
    await later(360);

    // Act
    await plaid(`/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await later(3600);
    await poll();
    const during = await itemOf(user, itemId);
    const heldAlerts = (await historyOf(user, itemId)).alerts;
    await plaid('/emulator/institutions/ins_109511/status', { status: 'HEALTHY' });
    await later(360);
    await poll();

    // Assess
    expect(during).toMatchObject({ status: 'login_required', institutionStatus: 'degraded' });
    expect(heldAlerts).toEqual([]);
    expect(await itemOf(user, itemId)).toMatchObject({ institutionStatus: 'healthy' });
    expect((await historyOf(user, itemId)).alerts).toEqual(both('alert').sort());
  });

  it('Outage without a break (institution DOWN): error, no alert; one "back" notice', async () => {
    // Prepare
    const { user, itemId } = await linked('ins_109512');
    await plaid('/emulator/institutions/ins_109512/status', { status: 'DOWN' });
    await plaid(`/emulator/items/${itemId}/error`, { errorCode: 'INSTITUTION_DOWN' });
    await later(360);

    // Act
    await poll();
    const during = await itemOf(user, itemId);
    await plaid('/emulator/institutions/ins_109512/status', { status: 'HEALTHY' });
    await plaid(`/emulator/items/${itemId}/error`, { errorCode: null });
    await later(DAY);
    await poll();
    await later(DAY);
    await poll();

    // Assess
    expect(during).toMatchObject({ status: 'error', needsAction: false, institutionStatus: 'down' });
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'healthy', institutionStatus: 'healthy' });
    expect((await historyOf(user, itemId)).alerts).toEqual(['topic:back']);
  });

  it('ERROR ITEM_LOGIN_REQUIRED (webhook): confirmed, one alert at once, reminders after 1, 3 and 7 days, nothing more', async () => {
    // Prepare
    const { user, itemId } = await linked();

    // Act: Plaid's ERROR webhook (confirmed with /item/get), then the poller over 17 days
    await plaid(`/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    const atOnce = (await historyOf(user, itemId)).alerts;
    for (const days of [1, 2, 4, 10]) {
      await later(days * DAY);
      await poll();
    }

    // Assess
    expect(atOnce).toEqual(both('alert').sort());
    expect(await itemOf(user, itemId)).toMatchObject({
      status: 'login_required',
      needsAction: true,
      repairMode: 'update',
    });
    const history = await historyOf(user, itemId);
    expect(history.alerts).toEqual(
      [...both('alert'), ...both('reminder-1'), ...both('reminder-3'), ...both('reminder-7')].sort(),
    );
    expect(history.transitions).toEqual(['healthy→login_required']);
  });

  it('PENDING_DISCONNECT repaired in the app before the deadline: one "restored", the old deadline passes quietly', async () => {
    // Prepare
    const { user, itemId } = await linked();
    await plaid(`/emulator/items/${itemId}/webhook`, { webhookCode: 'PENDING_DISCONNECT' });

    // Act: repaired two days in; the old deadline (7 days) passes
    await later(2 * DAY);
    const repaired = await repairInApp(user, itemId);
    await later(6 * DAY);
    await poll();

    // Assess
    expect(repaired).toMatchObject({ status: 200, body: { status: 'healthy', needsAction: false } });
    const item = await itemOf(user, itemId);
    expect(item).toMatchObject({ status: 'healthy', needsAction: false });
    expect(item.disconnectAt).toBeUndefined();
    const history = await historyOf(user, itemId);
    expect(history.alerts).toEqual([...both('days-7'), 'topic:restored'].sort());
    expect(history.transitions).toEqual(['healthy→pending_disconnect', 'pending_disconnect→healthy']);
  });

  it('PENDING_EXPIRATION: pending through clean polls, no second alert at the 7-day edge, one day before, breaks at expiry', async () => {
    // Prepare
    const { user, itemId } = await linked();
    // Plaid's times are whole seconds.
    const consent = new Date(Math.floor(clock.now().getTime() / 1000 + 7 * DAY) * 1000).toISOString();

    // Act: Plaid warns; clean polls through the week; the consent lapses
    await plaid(`/emulator/items/${itemId}/pending-expiration`, { consentExpirationTime: consent });
    await later(2 * 3600);
    await poll();
    await later(6 * DAY);
    await poll();
    const dayBefore = await itemOf(user, itemId);
    await later(DAY + 3600);
    await poll();

    // Assess
    expect(dayBefore).toMatchObject({
      status: 'pending_expiration',
      needsAction: true,
      consentExpiresAt: consent,
    });
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'login_required', needsAction: true });
    const history = await historyOf(user, itemId);
    expect(history.transitions).toEqual(['healthy→pending_expiration', 'pending_expiration→login_required']);
    expect(history.alerts).toEqual([...both('days-7'), ...both('days-1'), ...both('reminder-7')].sort());
  });

  it('Consent renewal through update mode before it lapses: the old expiry passes quietly, no more reminders', async () => {
    // Prepare
    const { user, itemId } = await linked();
    const consent = new Date(clock.now().getTime() + 7 * DAY * 1000).toISOString();
    await plaid(`/emulator/items/${itemId}/pending-expiration`, { consentExpirationTime: consent });

    // Act: renewed three days in; the old expiry passes, and three more weeks
    await later(3 * DAY);
    const renewed = await repairInApp(user, itemId);
    for (const days of [4, 1, 20]) {
      await later(days * DAY);
      await poll();
    }

    // Assess
    expect(renewed).toMatchObject({ status: 200, body: { status: 'healthy' } });
    const item = await itemOf(user, itemId);
    expect(item).toMatchObject({ status: 'healthy', needsAction: false });
    expect(Date.parse(item.consentExpiresAt)).toBeGreaterThan(clock.now().getTime() + 200 * DAY * 1000);
    expect((await historyOf(user, itemId)).alerts).toEqual([...both('days-7'), 'topic:restored'].sort());
  });

  it('Relink after USER_PERMISSION_REVOKED: no reminders while revoked; a new link at the bank replaces the Item', async () => {
    // Prepare
    const { user, itemId } = await linked('ins_109510');
    await plaid(`/emulator/items/${itemId}/webhook`, { webhookCode: 'USER_PERMISSION_REVOKED' });
    for (const days of [1, 3, 7]) {
      await later(days * DAY);
      await poll();
    }
    const noticesWhileRevoked = (await historyOf(user, itemId)).alerts;

    // Act: the user links the same bank again
    const relinked = await linkBank(api, await as(user), 'ins_109510');

    // Assess
    expect(noticesWhileRevoked).toEqual(['topic:notice']);
    expect(relinked).toMatchObject({ status: 201, body: { status: 'healthy', needsAction: false } });
    const fresh = relinked.body.itemId as string;
    const list = (await api.call('GET', '/v1/plaid/items', { token: await as(user) })).body.items;
    expect(list.map((i: { itemId: string }) => i.itemId)).toEqual([fresh]);
    expect((await api.call('GET', `/v1/plaid/items/${itemId}`, { token: await as(user) })).status).toBe(404);
    const carried = await historyOf(user, fresh);
    expect(carried.transitions).toContain('healthy→revoked');
    expect(carried.alerts).toEqual(['topic:notice']);
  });

  it('Error class transient (INTERNAL_SERVER_ERROR): error, no alert; recovery sends no "restored"', async () => {
    // Prepare
    const { user, itemId } = await linked();

    // Act
    await plaid(`/emulator/items/${itemId}/error`, { errorCode: 'INTERNAL_SERVER_ERROR' });
    await poll();
    const during = await itemOf(user, itemId);
    await plaid(`/emulator/items/${itemId}/error`, { errorCode: null });
    await later(3600);
    await poll();

    // Assess
    expect(during).toMatchObject({ status: 'error', needsAction: false });
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'healthy', needsAction: false });
    const history = await historyOf(user, itemId);
    expect(history.alerts).toEqual([]);
    expect(history.transitions).toEqual(['error→healthy', 'healthy→error']);
    expect(history.types.has('restored')).toBe(false);
  });

  it('Repeated re-auth: the third sign-out in 30 days gets a different message', async () => {
    // Prepare
    const { user, itemId } = await linked();

    // Act: signed out, repaired, signed out again 8 days later, repaired, and a third time
    for (const round of [1, 2, 3]) {
      if (round > 1) await later(8 * DAY);
      await plaid(`/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
      await poll();
      if (round < 3) expect((await repairInApp(user, itemId)).status).toBe(200);
    }

    // Assess
    expect(await lastSmsTo(user)).toContain('keeps signing this connection out (3 times in 30 days)');
    expect((await historyOf(user, itemId)).alerts).toEqual(
      [...both('alert'), 'topic:restored', ...both('alert'), 'topic:restored', ...both('alert')].sort(),
    );
  });

  it('NEW_ACCOUNTS_AVAILABLE: recorded, the Item stays healthy, no alert', async () => {
    // Prepare
    const { user, itemId } = await linked();

    // Act
    await plaid(`/emulator/items/${itemId}/webhook`, { webhookCode: 'NEW_ACCOUNTS_AVAILABLE' });
    await poll();

    // Assess
    expect(await itemOf(user, itemId)).toMatchObject({ status: 'healthy', needsAction: false });
    const history = await historyOf(user, itemId);
    expect(history.alerts).toEqual([]);
    expect(history.types.has('webhook_received')).toBe(true);
  });
});
