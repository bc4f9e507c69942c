import { beforeEach, describe, expect, it } from 'vitest';
import { repairItem } from '../../functions/domain/bank-links';
import { checkItem } from '../../functions/domain/item-checks';
import { FakeWebhookVerifier } from '../fakes';
import { bankWorld, receiveAndProcess } from '../support/bank-world';

const DAY = 86400;
const itemWebhook = (code: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ webhook_type: 'ITEM', webhook_code: code, item_id: 'item_1', ...extra });
const loginRequired = itemWebhook('ERROR', {
  error: { error_code: 'ITEM_LOGIN_REQUIRED', error_message: 'the login details of this item have changed' },
});

describe('Webhook processing: triggers confirmed with /item/get, ordered by content, not arrival', () => {
  let w: ReturnType<typeof bankWorld>;
  let receive: ReturnType<typeof receiveAndProcess>;
  let operatorFaults: string[];
  /** When each /item/get was made (test clock, ms). */
  let itemGets: number[];
  const signedNow = () =>
    `valid:${new Date(Math.floor(w.clock.now().getTime() / 1000) * 1000).toISOString()}`;

  beforeEach(async () => {
    w = bankWorld();
    operatorFaults = [];
    receive = receiveAndProcess(
      { ...w.deps, clock: w.clock, verifier: new FakeWebhookVerifier() },
      { operatorFaults },
    );
    await w.link('item_1');
    w.clock.advance(60);
    itemGets = [];
    const getItem = w.plaid.getItem.bind(w.plaid);
    w.plaid.getItem = async (token) => {
      itemGets.push(w.clock.now().getTime());
      return getItem(token);
    };
  });

  it('confirms the first alert of an episode with /item/get, then alerts once', async () => {
    // Prepare
    w.breakAtPlaid('item_1');
    // Act
    const outcome = await receive(signedNow(), loginRequired);
    // Assess
    expect(outcome).toEqual({ outcome: 'applied', code: 'ERROR' });
    expect(itemGets).toHaveLength(1);
    expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({ status: 'login_required' });
    expect(w.channels.sms).toHaveLength(1);
  });

  it('a retried PENDING_DISCONNECT (no disconnect_time, a fresh iat) keeps the first deadline and its countdown', async () => {
    // Prepare: Plaid warns; its deadline is the webhook's iat plus 7 days.
    const warning = itemWebhook('PENDING_DISCONNECT', { reason: 'INSTITUTION_MIGRATION' });
    await receive(signedNow(), warning);
    const first = w.stores.table.plaidItems.get('item_1')?.disconnectAt;
    const sms = w.channels.sms.length;

    // Act: Plaid retries the same body, signed anew, twice over the next day.
    for (const hours of [9, 8]) {
      w.clock.advance(hours * 3600);
      await receive(signedNow(), warning);
    }

    // Assess (found by item-alerts.property.test.ts, seed 1021381474: the deadline moved and
    // "7 days left" went out three times)
    expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({
      status: 'pending_disconnect',
      disconnectAt: first,
    });
    expect(sms).toBe(1);
    expect(w.channels.sms).toHaveLength(1);
    expect(w.history().filter((e) => e.type === 'deadline_set')).toHaveLength(1);
  });

  it('a retried ERROR with a fresh iat after a verified repair does not reopen the episode', async () => {
    // Prepare: broken by webhook, then repaired in the app (verified by the repair call).
    w.breakAtPlaid('item_1');
    await receive(signedNow(), loginRequired);
    w.clock.advance(600);
    w.repairAtPlaid('item_1');
    await repairItem(w.deps)('usr_a', 'item_1');
    // Act: Plaid retries the old ERROR, signed anew (its iat is newer than the repair).
    w.clock.advance(30);
    const retried = await receive(signedNow(), loginRequired);
    // Assess
    expect(retried).toEqual({ outcome: 'not_confirmed', code: 'ERROR' });
    expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({ status: 'healthy' });
    expect(w.stores.table.plaidItems.get('item_1')?.episode).toBeUndefined();
    expect(w.channels.events.map((e) => e.eventType)).toEqual(['item.needs_action', 'item.restored']);
    expect(w.channels.sms).toHaveLength(1);
    expect(w.history().at(-1)).toMatchObject({ type: 'observation_ignored', source: 'webhook' });
  });

  it('a burst of unconfirmed webhooks stays within 15 /item/get a minute for the Item', async () => {
    // Act: 40 ERROR webhooks, one a second, while /item/get stays clean (each needs a confirmation).
    for (let n = 0; n < 40; n++) {
      await receive(signedNow(), loginRequired);
      w.clock.advance(1);
    }
    // Assess: in every 60-second window, at most 15 calls.
    const worst = Math.max(...itemGets.map((t) => itemGets.filter((u) => u >= t && u < t + 60_000).length));
    expect(worst).toBeLessThanOrEqual(15);
    expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({ status: 'healthy' });
    expect(w.channels.sms).toHaveLength(0);
  });

  it('webhooks signed in the same second share one confirmation', async () => {
    // Prepare
    w.breakAtPlaid('item_1');
    w.plaid.failNext('getItem', 'ITEM_GET_LIMIT');
    // Act: the first is deferred (rate-limited), the next ones after the pacer's spacing reuse nothing stale.
    const first = await receive(signedNow(), loginRequired);
    const second = await receive(signedNow(), loginRequired);
    const third = await receive(signedNow(), loginRequired);
    // Assess
    expect(first.outcome).toBe('deferred');
    expect(second.outcome).toBe('applied');
    expect(third.outcome).toBe('unchanged');
    expect(itemGets).toHaveLength(2);
  });

  it('defers to the poller when Plaid rate-limits the confirmation: nothing changes, the check moves up', async () => {
    // Prepare
    w.breakAtPlaid('item_1');
    w.plaid.failNext('getItem', 'RATE_LIMIT_EXCEEDED');
    const before = w.stores.table.plaidItems.get('item_1');
    // Act
    const outcome = await receive(signedNow(), loginRequired);
    // Assess
    const after = w.stores.table.plaidItems.get('item_1');
    expect(outcome.outcome).toBe('deferred');
    expect(after?.status).toBe('healthy');
    expect(after?.nextCheckAt).toBe(new Date(w.clock.now().getTime() + 15 * 60_000).toISOString());
    expect((after?.nextCheckAt ?? '') < (before?.nextCheckAt ?? '')).toBe(true);
    expect(w.channels.sms).toHaveLength(0);
  });

  it('an error of our own configuration met while confirming changes nothing and is reported', async () => {
    // Prepare
    w.plaid.failNext('getItem', 'INVALID_API_KEYS');
    const before = structuredClone(w.stores.table.plaidItems.get('item_1'));
    // Act
    const outcome = await receive(signedNow(), loginRequired);
    // Assess
    expect(outcome.outcome).toBe('operator_fault');
    expect(operatorFaults).toEqual(['INVALID_API_KEYS']);
    expect(w.stores.table.plaidItems.get('item_1')).toEqual(before);
  });

  it('a PENDING_EXPIRATION older than the consent the Item has (a retry from before a renewal) changes nothing', async () => {
    // Prepare: consent was renewed to a later date.
    await receive(
      signedNow(),
      itemWebhook('PENDING_EXPIRATION', { consent_expiration_time: '2026-01-20T00:00:00Z' }),
    );
    const renewed = w.stores.table.plaidItems.get('item_1');
    if (renewed === undefined) throw new Error('no item');
    w.stores.table.plaidItems.set('item_1', {
      ...renewed,
      status: 'healthy',
      consentExpiresAt: '2027-01-20T00:00:00.000Z',
    });
    w.clock.advance(60);
    // Act
    const outcome = await receive(
      signedNow(),
      itemWebhook('PENDING_EXPIRATION', { consent_expiration_time: '2026-01-20T00:00:00Z' }),
    );
    // Assess
    expect(outcome.outcome).toBe('older_content');
    expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({
      status: 'healthy',
      consentExpiresAt: '2027-01-20T00:00:00.000Z',
    });
  });
});

describe('The poll/webhook race', () => {
  it('a poll whose /item/get answered before a break does not undo the webhook that reported it', async () => {
    // Prepare: a healthy Item, due for its daily poll.
    const w = bankWorld();
    const receive = receiveAndProcess({ ...w.deps, clock: w.clock, verifier: new FakeWebhookVerifier() });
    await w.link('item_1');
    w.clock.advance(DAY);
    // While the poll's /item/get is under way (answering "clean"), the Item breaks at Plaid and its
    // ERROR webhook is received, confirmed and applied before the poll writes.
    const getItem = w.plaid.getItem.bind(w.plaid);
    let raced = false;
    w.plaid.getItem = async (token) => {
      const answer = await getItem(token);
      if (!raced) {
        raced = true;
        w.clock.advance(2);
        w.breakAtPlaid('item_1');
        const iat = new Date(Math.floor(w.clock.now().getTime() / 1000) * 1000).toISOString();
        await receive(`valid:${iat}`, loginRequired);
        w.clock.advance(1);
      }
      return answer;
    };
    // Act
    const outcome = await checkItem(w.deps)({ itemId: 'item_1' });
    // Assess: still broken, one alert, no "connected again", checked again within hours, not a day.
    const item = w.stores.table.plaidItems.get('item_1');
    expect(outcome.changed).toBe(false);
    expect(item).toMatchObject({ status: 'login_required' });
    expect(item?.episode).toBeDefined();
    expect(w.channels.events.map((e) => e.eventType)).toEqual(['item.needs_action']);
    expect(w.history().filter((e) => e.type === 'restored')).toEqual([]);
    expect(Date.parse(item?.nextCheckAt ?? '') - w.clock.now().getTime()).toBeLessThan(DAY * 1000 * 0.5);
  });
});
