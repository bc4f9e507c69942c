import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { repairItem } from '../../../functions/domain/bank-links';
import { checkItem } from '../../../functions/domain/item-checks';
import type { ItemStatus } from '../../../functions/domain/item-status';
import { NEEDS_ACTION } from '../../../functions/domain/item-status';
import { FakeWebhookVerifier } from '../../fakes';
import { bankWorld, receiveAndProcess } from '../../support/bank-world';

const BREAKS = [
  'ITEM_LOGIN_REQUIRED',
  'PENDING_DISCONNECT',
  'ITEM_LOCKED',
  'INSTITUTION_DOWN',
  'ITEM_GET_LIMIT',
];

/** What can happen to a linked Item, in any order. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('plaid_breaks' as const), code: fc.constantFrom(...BREAKS) }),
  fc.record({ kind: fc.constant('plaid_repaired' as const) }),
  fc.record({ kind: fc.constant('poll' as const), gapSeconds: fc.integer({ min: 0, max: 3 * 86400 }) }),
  fc.record({ kind: fc.constant('redelivery' as const) }),
  fc.record({
    kind: fc.constant('webhook' as const),
    code: fc.constantFrom('ERROR', 'LOGIN_REPAIRED', 'PENDING_DISCONNECT', 'USER_PERMISSION_REVOKED'),
    error: fc.constantFrom(...BREAKS),
    issuedSecondsAgo: fc.integer({ min: 0, max: 7200 }),
    gapSeconds: fc.integer({ min: 0, max: 86400 }),
  }),
  fc.record({ kind: fc.constant('repair_route' as const) }),
  /** Plaid retries the last webhook: the same body, signed anew (a fresh iat). */
  fc.record({ kind: fc.constant('retry' as const), gapSeconds: fc.integer({ min: 30, max: 86400 }) }),
  /** Plaid breaks; a poll, a redelivery of it and the webhook about it run at once. */
  fc.record({ kind: fc.constant('race' as const), error: fc.constantFrom(...BREAKS) }),
  fc.record({ kind: fc.constant('channels' as const), smsUp: fc.boolean(), topicUp: fc.boolean() }),
);

describe('Property: Item checks, webhooks and alerts together', () => {
  it('keep one open episode at most, send each alert at most once, and keep the history complete', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        // Prepare
        const w = bankWorld();
        await w.link('item_1');
        const check = checkItem(w.deps);
        const receive = receiveAndProcess({ ...w.deps, clock: w.clock, verifier: new FakeWebhookVerifier() });
        let lastDispatch = w.clock.now().toISOString();
        /** Alerts and reminders sent per episode and channel, as the user received them. */
        const received = new Map<string, number>();
        const closed = new Set<string>();
        let previousVersion = 1;
        let lastWebhook: string | undefined;

        for (const s of steps) {
          // Act
          const before = w.stores.table.plaidItems.get('item_1');
          const sent = { sms: w.channels.sms.length, events: w.channels.events.length };
          switch (s.kind) {
            case 'plaid_breaks':
              w.breakAtPlaid('item_1', s.code);
              break;
            case 'plaid_repaired':
              w.repairAtPlaid('item_1');
              break;
            case 'poll':
              w.clock.advance(s.gapSeconds);
              lastDispatch = w.clock.now().toISOString();
              w.clock.advance(1);
              await check({ itemId: 'item_1', dispatchedAt: lastDispatch });
              break;
            case 'redelivery':
              await check({ itemId: 'item_1', dispatchedAt: lastDispatch });
              break;
            case 'webhook': {
              w.clock.advance(s.gapSeconds);
              const issuedAt = new Date(w.clock.now().getTime() - s.issuedSecondsAgo * 1000).toISOString();
              const body = {
                webhook_type: 'ITEM',
                webhook_code: s.code,
                item_id: 'item_1',
                ...(s.code === 'ERROR' ? { error: { error_code: s.error, error_message: s.error } } : {}),
              };
              lastWebhook = JSON.stringify(body);
              await receive(`valid:${issuedAt}`, lastWebhook);
              break;
            }
            case 'retry':
              if (lastWebhook === undefined) break;
              w.clock.advance(s.gapSeconds);
              await receive(`valid:${w.clock.now().toISOString()}`, lastWebhook);
              break;
            case 'race': {
              w.breakAtPlaid('item_1', s.error);
              lastDispatch = w.clock.now().toISOString();
              w.clock.advance(1);
              const body = {
                webhook_type: 'ITEM',
                webhook_code: 'ERROR',
                item_id: 'item_1',
                error: { error_code: s.error, error_message: s.error },
              };
              await Promise.all([
                check({ itemId: 'item_1', dispatchedAt: lastDispatch }),
                check({ itemId: 'item_1', dispatchedAt: lastDispatch }),
                receive(`valid:${w.clock.now().toISOString()}`, JSON.stringify(body)),
              ]);
              break;
            }
            case 'repair_route':
              // Still broken, or no verdict from Plaid (a transient answer): never a false "fixed".
              await repairItem(w.deps)('usr_a', 'item_1').catch((error: { code?: string }) => {
                expect(['STILL_BROKEN', 'PLAID_UNAVAILABLE']).toContain(error.code);
              });
              break;
            case 'channels':
              w.channels.failing.sms = !s.smsUp;
              w.channels.failing.topic = !s.topicUp;
              break;
          }

          // Assess
          const item = w.stores.table.plaidItems.get('item_1');
          if (item === undefined) throw new Error('The Item vanished.');
          // A retry never opens an episode that Plaid's /item/get does not confirm.
          if (
            s.kind === 'retry' &&
            before?.episode === undefined &&
            w.plaid.items.get(w.accessTokenOf('item_1'))?.error === undefined &&
            JSON.parse(lastWebhook ?? '{}').webhook_code === 'ERROR'
          )
            expect(item.episode).toBeUndefined();
          // At most one open episode: there exactly while the Item needs the user.
          expect(item.episode !== undefined).toBe(NEEDS_ACTION.has(item.status));
          if (before?.episode !== undefined && before.episode.id !== item.episode?.id)
            closed.add(before.episode.id);
          expect(item.version).toBeGreaterThanOrEqual(previousVersion);
          previousVersion = item.version;
          // Alerts go out only for the open episode, each step once per channel.
          const newEvents = w.channels.events.slice(sent.events);
          const newSms = w.channels.sms.slice(sent.sms);
          for (const e of newEvents.filter((e) => e.eventType !== 'item.restored')) {
            expect(item.episode).toBeDefined();
            const key = `${item.episode?.id}:topic:${e.eventType}`;
            received.set(key, (received.get(key) ?? 0) + 1);
          }
          for (const _ of newSms) {
            expect(item.episode).toBeDefined();
            const key = `${item.episode?.id}:sms`;
            received.set(key, (received.get(key) ?? 0) + 1);
          }
        }

        for (const [key, count] of received) {
          if (key.endsWith(':item.needs_action')) expect(count, key).toBe(1);
          if (key.endsWith(':item.reminder')) expect(count, key).toBeLessThanOrEqual(3);
          if (key.endsWith(':sms')) expect(count, key).toBeLessThanOrEqual(4);
        }
        const restored = w.channels.events.filter((e) => e.eventType === 'item.restored');
        expect(restored.length).toBeLessThanOrEqual(closed.size);

        // History complete: every status change chains from the link, and every send is recorded.
        const history = w.history();
        let status: ItemStatus = 'healthy';
        for (const e of history.filter((e) => e.type === 'status_changed')) {
          expect(e.from).toBe(status);
          status = e.to as ItemStatus;
        }
        expect(status).toBe(w.stores.table.plaidItems.get('item_1')?.status);
        const recorded = history.filter((e) => e.type === 'alert_sent');
        expect(recorded.filter((e) => e.detail === 'sms')).toHaveLength(w.channels.sms.length);
        expect(recorded.filter((e) => e.detail === 'topic')).toHaveLength(w.channels.events.length);
      }),
      { numRuns: 150 },
    );
  });
});
