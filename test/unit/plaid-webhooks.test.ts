import { beforeEach, describe, expect, it } from 'vitest';
import { FakeWebhookVerifier } from '../fakes';
import { bankWorld, receiveAndProcess } from '../support/bank-world';

const itemWebhook = (code: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ webhook_type: 'ITEM', webhook_code: code, item_id: 'item_1', ...extra });
const loginRequired = itemWebhook('ERROR', {
  error: { error_code: 'ITEM_LOGIN_REQUIRED', error_message: 'the login details of this item have changed' },
});

describe('Use case: receivePlaidWebhook', () => {
  let w: ReturnType<typeof bankWorld>;
  let receive: ReturnType<typeof receiveAndProcess>;
  /** A token the verifier accepts, issued `secondsAgo` before now. */
  const signed = (secondsAgo = 0) =>
    `valid:${new Date(w.clock.now().getTime() - secondsAgo * 1000).toISOString()}`;

  beforeEach(async () => {
    w = bankWorld();
    receive = receiveAndProcess({ ...w.deps, clock: w.clock, verifier: new FakeWebhookVerifier() });
    await w.link('item_1');
    w.clock.advance(60);
  });

  describe('ITEM webhooks', () => {
    it('refuses a webhook not signed by Plaid with INVALID_WEBHOOK_SIGNATURE, and changes nothing', async () => {
      // Act
      const forged = receive('forged', loginRequired);
      const unsigned = receive(undefined, loginRequired);

      // Assess
      await expect(forged).rejects.toMatchObject({ code: 'INVALID_WEBHOOK_SIGNATURE' });
      await expect(unsigned).rejects.toMatchObject({ code: 'INVALID_WEBHOOK_SIGNATURE' });
      expect(w.stores.table.plaidItems.get('item_1')?.status).toBe('healthy');
    });

    it('applies an ITEM ERROR: the Item needs the user, who is alerted once, with no poll', async () => {
      // Prepare: Plaid's /item/get shows the break too (the confirmation).
      w.breakAtPlaid('item_1');

      // Act
      const outcome = await receive(signed(), loginRequired);

      // Assess
      expect(outcome).toEqual({ outcome: 'applied', code: 'ERROR' });
      expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({
        status: 'login_required',
        errorCode: 'ITEM_LOGIN_REQUIRED',
      });
      expect(w.channels.sms).toHaveLength(1);
      expect(w.channels.events.map((e) => e.eventType)).toEqual(['item.needs_action']);
      expect(w.history().find((e) => e.type === 'status_changed')).toMatchObject({ source: 'webhook' });
    });

    it('changes nothing twice for a duplicate delivery', async () => {
      // Prepare
      w.breakAtPlaid('item_1');
      const token = signed();
      await receive(token, loginRequired);

      // Act
      w.clock.advance(5);
      const again = await receive(token, loginRequired);

      // Assess
      expect(again.outcome).toBe('unchanged');
      expect(w.channels.sms).toHaveLength(1);
      expect(w.history().filter((e) => e.type === 'status_changed')).toHaveLength(1);
    });

    it('ignores a webhook issued before the newest observation applied (a late ERROR after a repair)', async () => {
      // Prepare
      const oldError = signed(30);
      await receive(signed(10), loginRequired);
      w.clock.advance(5);
      await receive(signed(), itemWebhook('LOGIN_REPAIRED'));

      // Act
      const late = await receive(oldError, loginRequired);

      // Assess
      expect(late.outcome).toBe('unchanged');
      expect(w.stores.table.plaidItems.get('item_1')?.status).toBe('healthy');
      expect(w.history().at(-1)).toMatchObject({ type: 'observation_ignored' });
    });

    it('closes the episode on LOGIN_REPAIRED and says "connected again" once', async () => {
      // Prepare
      w.breakAtPlaid('item_1');
      await receive(signed(), loginRequired);
      w.clock.advance(60);
      w.repairAtPlaid('item_1');

      // Act: Plaid's /item/get confirms the repair.
      const outcome = await receive(signed(), itemWebhook('LOGIN_REPAIRED'));

      // Assess
      expect(outcome.outcome).toBe('applied');
      expect(w.stores.table.plaidItems.get('item_1')?.episode).toBeUndefined();
      expect(w.channels.events.map((e) => e.eventType)).toEqual(['item.needs_action', 'item.restored']);
    });

    it('marks an Item pending expiration from PENDING_EXPIRATION, with the consent date', async () => {
      // Act
      await receive(
        signed(),
        itemWebhook('PENDING_EXPIRATION', { consent_expiration_time: '2026-01-20T00:00:00Z' }),
      );

      // Assess
      expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({
        status: 'pending_expiration',
        consentExpiresAt: '2026-01-20T00:00:00.000Z',
      });
    });

    it('records NEW_ACCOUNTS_AVAILABLE in the history without changing the status', async () => {
      // Act
      const outcome = await receive(signed(), itemWebhook('NEW_ACCOUNTS_AVAILABLE'));

      // Assess
      expect(outcome).toEqual({ outcome: 'recorded', code: 'NEW_ACCOUNTS_AVAILABLE' });
      expect(w.history().at(-1)).toMatchObject({
        type: 'webhook_received',
        detail: 'NEW_ACCOUNTS_AVAILABLE',
      });
      expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({ status: 'healthy', version: 2 });
    });

    it.each([
      [
        'another webhook type',
        JSON.stringify({
          webhook_type: 'TRANSACTIONS',
          webhook_code: 'SYNC_UPDATES_AVAILABLE',
          item_id: 'item_1',
        }),
        'ignored_type',
      ],
      ['an ITEM code we do not act on', itemWebhook('SOMETHING_NEW'), 'ignored_type'],
      ['an ERROR without an error code', itemWebhook('ERROR', { error: null }), 'ignored_type'],
      ['a body that is not JSON', '{"webhook_type": "ITEM",', 'ignored_type'],
      [
        'an Item we do not have',
        JSON.stringify({ webhook_type: 'ITEM', webhook_code: 'LOGIN_REPAIRED', item_id: 'item_x' }),
        'unknown_item',
      ],
    ])('answers (200) and changes nothing for %s', async (_, body, expected) => {
      // Act
      const outcome = await receive(signed(), body);

      // Assess
      expect(outcome.outcome).toBe(expected);
      expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({ status: 'healthy', version: 1 });
    });
  });
});
