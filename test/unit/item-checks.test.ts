import { beforeEach, describe, expect, it } from 'vitest';
import { checkItem, dispatchDueChecks } from '../../functions/domain/item-checks';
import { RecordingCheckQueue } from '../fakes';
import { bankWorld, USER_PHONE } from '../support/bank-world';

const DAY = 86400;

describe('Use case: checkItem', () => {
  let w: ReturnType<typeof bankWorld>;
  let check: ReturnType<typeof checkItem>;
  beforeEach(async () => {
    w = bankWorld();
    check = checkItem(w.deps);
    await w.link('item_1');
    w.clock.advance(DAY);
  });

  describe('one check', () => {
    it('records a healthy check and schedules the next one a day later, sending nothing', async () => {
      // Act
      const outcome = await check({ itemId: 'item_1' });

      // Assess
      expect(outcome).toMatchObject({ checked: true, changed: false, notified: false });
      expect(w.stores.table.plaidItems.get('item_1')).toMatchObject({
        status: 'healthy',
        version: 2,
        lastCheckedAt: w.clock.now().toISOString(),
        lastSuccessAt: w.clock.now().toISOString(),
        nextCheckAt: new Date(w.clock.now().getTime() + DAY * 1000).toISOString(),
      });
      expect(w.channels.sms).toEqual([]);
      expect(w.channels.events).toEqual([]);
    });

    it('opens an episode when the Item breaks and alerts once by SMS and on the topic', async () => {
      // Prepare
      w.breakAtPlaid('item_1');

      // Act
      const first = await check({ itemId: 'item_1' });
      w.clock.advance(3600);
      const second = await check({ itemId: 'item_1' });

      // Assess
      expect(first).toMatchObject({ checked: true, changed: true, notified: true });
      expect(second).toMatchObject({ checked: true, changed: false, notified: false });
      expect(w.channels.sms).toEqual([
        {
          phone: USER_PHONE,
          message:
            'LinkGuard: First Platypus Bank — Your bank needs you to sign in again. Open the app and tap Reconnect.',
        },
      ]);
      expect(w.channels.events).toEqual([
        expect.objectContaining({ eventType: 'item.needs_action', userId: 'usr_a', itemId: 'item_1' }),
      ]);
      const episode = w.stores.table.plaidItems.get('item_1')?.episode;
      expect(episode?.startedAt).toBe(new Date(w.clock.now().getTime() - 3600_000).toISOString());
      expect(
        w
          .history()
          .filter((e) => e.type === 'alert_sent')
          .map((e) => e.detail),
      ).toEqual(['topic', 'sms']);
    });

    it('reminds after a day, on both channels, once', async () => {
      // Prepare
      w.breakAtPlaid('item_1');
      await check({ itemId: 'item_1' });

      // Act
      w.clock.advance(DAY);
      await check({ itemId: 'item_1' });
      w.clock.advance(3600);
      await check({ itemId: 'item_1' });

      // Assess
      expect(w.channels.sms.map((s) => s.message.split(':')[0])).toEqual(['LinkGuard', 'LinkGuard reminder']);
      expect(w.channels.events.map((e) => e.eventType)).toEqual(['item.needs_action', 'item.reminder']);
    });

    it('texts only a user with a phone and SMS alerts on; the topic always hears', async () => {
      // Prepare
      const user = w.stores.table.users.get('usr_a');
      if (user !== undefined) user.notifications.sms = false;
      w.breakAtPlaid('item_1');

      // Act
      await check({ itemId: 'item_1' });

      // Assess
      expect(w.channels.sms).toEqual([]);
      expect(w.channels.events).toHaveLength(1);
    });

    it('never alerts for a transient error, and backs off', async () => {
      // Prepare
      w.breakAtPlaid('item_1', 'INSTITUTION_DOWN');

      // Act
      const outcome = await check({ itemId: 'item_1' });

      // Assess
      expect(outcome.item).toMatchObject({ status: 'error', transientFailures: 1 });
      expect(outcome.item?.episode).toBeUndefined();
      expect(outcome.item?.nextCheckAt).toBe(new Date(w.clock.now().getTime() + 15 * 60_000).toISOString());
      expect(w.channels.sms).toEqual([]);
    });

    it('reports a Plaid code it does not know, and treats it as transient', async () => {
      // Prepare
      w.breakAtPlaid('item_1', 'SOMETHING_NEW_2027');

      // Act
      const outcome = await check({ itemId: 'item_1' });

      // Assess
      expect(w.reported.unknownCodes).toEqual(['SOMETHING_NEW_2027']);
      expect(outcome.item?.status).toBe('error');
    });

    it('releases a send that failed, reports it, and sends it at the next pass', async () => {
      // Prepare
      w.breakAtPlaid('item_1');
      w.channels.failing.sms = true;

      // Act
      const first = await check({ itemId: 'item_1' });
      w.channels.failing.sms = false;
      w.clock.advance(6 * 3600);
      await check({ itemId: 'item_1' });

      // Assess
      expect(first.notified).toBe(true);
      expect(w.reported.sendFailures).toEqual(['sms']);
      expect(w.channels.sms).toHaveLength(1);
      expect(w.channels.events).toHaveLength(1);
    });

    it('skips an Item already checked in this pass (a redelivered message), but finishes unsent alerts', async () => {
      // Prepare: the pass dispatched the Item, a first delivery checked it and its SMS failed.
      const dispatchedAt = w.clock.now().toISOString();
      w.clock.advance(1);
      w.breakAtPlaid('item_1');
      w.channels.failing.sms = true;
      await check({ itemId: 'item_1', dispatchedAt });
      w.channels.failing.sms = false;
      const getItemCalls = w.plaid.calls.filter((c) => c.method === 'getItem').length;

      // Act
      const redelivered = await check({ itemId: 'item_1', dispatchedAt });

      // Assess
      expect(redelivered).toMatchObject({ checked: false, notified: true });
      expect(w.plaid.calls.filter((c) => c.method === 'getItem')).toHaveLength(getItemCalls);
      expect(w.channels.sms).toHaveLength(1);
      expect(w.channels.events).toHaveLength(1);
    });

    it('points an Item whose webhook URL is stale at this deployment before checking it', async () => {
      // Prepare
      const moved = bankWorld({ webhookUrl: 'https://new.example.com/v1/plaid/webhook' });
      await moved.link('item_1');
      const stored = moved.stores.table.plaidItems.get('item_1');
      if (stored !== undefined) stored.webhookUrl = 'https://old.example.com/v1/plaid/webhook';

      // Act
      await checkItem(moved.deps)({ itemId: 'item_1' });

      // Assess
      expect(moved.plaid.webhooks.get(moved.accessTokenOf('item_1'))).toBe(
        'https://new.example.com/v1/plaid/webhook',
      );
      expect(moved.stores.table.plaidItems.get('item_1')?.webhookUrl).toBe(
        'https://new.example.com/v1/plaid/webhook',
      );
    });

    it('re-reads and re-applies when another writer got there first, and gives up with CONFLICT after four tries', async () => {
      // Prepare: a writer that changes the Item before every save of this check.
      w.breakAtPlaid('item_1');
      const store = w.stores.plaidItems;
      const save = store.save.bind(store);
      let writes = 0;
      store.save = async (item, events) => {
        writes++;
        const stored = w.stores.table.plaidItems.get('item_1');
        if (stored !== undefined) stored.version += 1;
        return save(item, events);
      };

      // Act
      const attempt = check({ itemId: 'item_1' });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', retryAfterSeconds: 1 });
      expect(writes).toBe(4);
      expect(w.stores.table.plaidItems.get('item_1')?.status).toBe('healthy');
      expect(w.channels.sms).toEqual([]);
    });

    it('answers NOT_FOUND when the Item is removed while it is being checked', async () => {
      // Prepare: the user removes the bank link between the check's read and its write.
      w.breakAtPlaid('item_1');
      const store = w.stores.plaidItems;
      const save = store.save.bind(store);
      store.save = async (item, events) => {
        w.stores.table.plaidItems.delete('item_1');
        return save(item, events);
      };

      // Act
      const attempt = check({ itemId: 'item_1' });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(w.channels.sms).toEqual([]);
    });

    it('takes over a send claimed by a function that died more than ten minutes ago, but not a fresh one', async () => {
      // Prepare: the break is recorded and both sends were claimed, then the sender died.
      w.breakAtPlaid('item_1');
      w.channels.failing.sms = true;
      w.channels.failing.topic = true;
      await check({ itemId: 'item_1' });
      const episodeId = w.stores.table.plaidItems.get('item_1')?.episode?.id as string;
      for (const channel of ['sms', 'topic']) {
        w.stores.table.alertClaims.set(`item_1#${episodeId}#alert#${channel}`, {
          itemId: 'item_1',
          episodeId,
          step: 'alert',
          channel,
          state: 'claimed',
          claimId: `clm_dead_${channel}`,
          claimedAt: w.clock.now().toISOString(),
        });
      }
      w.channels.failing.sms = false;
      w.channels.failing.topic = false;

      // Act
      w.clock.advance(5 * 60);
      const whileFresh = await check({ itemId: 'item_1' });
      w.clock.advance(6 * 60);
      const afterTenMinutes = await check({ itemId: 'item_1' });

      // Assess
      expect(whileFresh.notified).toBe(false);
      expect(afterTenMinutes.notified).toBe(true);
      expect(w.channels.sms).toHaveLength(1);
      expect(w.channels.events).toHaveLength(1);
    });

    it('does nothing for an Item removed since it was dispatched', async () => {
      // Act
      const outcome = await check({ itemId: 'item_gone' });

      // Assess
      expect(outcome).toEqual({ checked: false, changed: false, notified: false });
    });
  });
});

describe('Use case: dispatchDueChecks', () => {
  let w: ReturnType<typeof bankWorld>;
  let queue: RecordingCheckQueue;
  beforeEach(async () => {
    w = bankWorld();
    queue = new RecordingCheckQueue();
    for (let n = 1; n <= 6; n++) {
      await w.link(`item_${n}`, { institutionId: `ins_${n}` });
    }
  });

  const dispatch = () =>
    dispatchDueChecks({ clock: w.clock, items: w.stores.plaidItems, queue, shards: w.stores.table.shards });

  describe('a pass', () => {
    it('hands every due Item to the queue once, stamped with the pass time', async () => {
      // Prepare
      w.clock.advance(2 * DAY);
      const notDue = w.stores.table.plaidItems.get('item_6');
      if (notDue !== undefined)
        notDue.nextCheckAt = new Date(w.clock.now().getTime() + 3600_000).toISOString();

      // Act
      const { dispatched } = await dispatch()({ dueOnly: true });

      // Assess
      expect(dispatched).toBe(5);
      expect(queue.messages.map((m) => m.itemId).sort()).toEqual([
        'item_1',
        'item_2',
        'item_3',
        'item_4',
        'item_5',
      ]);
      expect(new Set(queue.messages.map((m) => m.dispatchedAt))).toEqual(
        new Set([w.clock.now().toISOString()]),
      );
    });

    it('dispatches nothing before anything is due, and everything when told to', async () => {
      // Act
      const due = await dispatch()({ dueOnly: true });
      const all = await dispatch()({ dueOnly: false });

      // Assess
      expect(due.dispatched).toBe(0);
      expect(all.dispatched).toBe(6);
      expect(queue.batches.every((b) => b.length > 0)).toBe(true);
    });

    it('fails loudly when the queue refuses the messages', async () => {
      // Prepare
      queue.failing = true;

      // Act
      const attempt = dispatch()({ dueOnly: false });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'QUEUE_REFUSED' });
    });
  });
});
