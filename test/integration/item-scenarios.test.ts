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
});
