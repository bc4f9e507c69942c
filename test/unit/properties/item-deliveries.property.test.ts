import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUpdateLinkToken, repairItem } from '../../../functions/domain/bank-links';
import { AppError } from '../../../functions/domain/errors';
import { checkItem } from '../../../functions/domain/item-checks';
import { receivePlaidWebhook } from '../../../functions/domain/plaid-webhooks';
import { FakeWebhookVerifier } from '../../fakes';
import { bankWorld } from '../../support/bank-world';

const DAY = 86400;

/** What Plaid does to the Item (each emits the webhook Plaid would send, queued for delivery). */
const plaidEvent = fc.constantFrom(
  'ERROR',
  'LOGIN_REPAIRED',
  'PENDING_DISCONNECT',
  'PENDING_EXPIRATION',
  'USER_PERMISSION_REVOKED',
  'USER_ACCOUNT_REVOKED',
  'NEW_ACCOUNTS_AVAILABLE',
  'TRANSIENT',
  'INSTITUTION_DOWN',
  'INSTITUTION_BACK',
  'DATA_STOPS',
  'DATA_RESUMES',
);

/** One thing that happens, in any order. */
const step = fc.oneof(
  fc.record({ kind: fc.constant('plaid' as const), event: plaidEvent }),
  /** Deliver a queued webhook: any of them (out of order), again (duplicate), or with a fresh `iat` (Plaid's retry). */
  fc.record({
    kind: fc.constant('deliver' as const),
    pick: fc.nat(),
    mode: fc.constantFrom('first' as const, 'duplicate' as const, 'retry' as const),
  }),
  fc.record({ kind: fc.constant('poll' as const) }),
  fc.record({ kind: fc.constant('repair_in_app' as const) }),
  fc.record({ kind: fc.constant('time' as const), seconds: fc.integer({ min: 60, max: 4 * DAY }) }),
);

describe('Property: any interleaving of polls and webhooks for one Item', () => {
  it('sends each alert step at most once per channel, and never a "restored" without a verified repair', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), async (steps) => {
        // Prepare
        const w = bankWorld();
        await w.link('item_1', {
          lastSuccessfulUpdate: w.clock.now().toISOString(),
          consentExpiresAt: new Date(w.clock.now().getTime() + 60 * DAY * 1000).toISOString(),
        });
        const plaid = w.plaid.items.get(w.accessTokenOf('item_1'));
        if (plaid === undefined) throw new Error('not linked');
        const check = checkItem(w.deps);
        const receive = receivePlaidWebhook({ ...w.deps, verifier: new FakeWebhookVerifier() });
        /** Plaid's truth: a deadline it breaks the Item at, a revocation, whether data flows. */
        const truth = { breaksAt: undefined as string | undefined, revoked: false, dataStopped: false };
        const queue: { body: Record<string, unknown>; iat: Date }[] = [];
        const now = () => w.clock.now();
        const emit = (code: string, fields: Record<string, unknown> = {}) =>
          queue.push({
            body: { webhook_type: 'ITEM', webhook_code: code, item_id: 'item_1', ...fields },
            iat: now(),
          });
        const tick = () => {
          if (
            truth.breaksAt !== undefined &&
            truth.breaksAt <= now().toISOString() &&
            plaid.error === undefined
          ) {
            plaid.error = { code: 'ITEM_LOGIN_REQUIRED', message: 'deadline' };
            truth.breaksAt = undefined;
          }
          if (!truth.dataStopped && plaid.error === undefined)
            plaid.lastSuccessfulUpdate = now().toISOString();
        };
        /** Plaid really has the Item working: no error, no pending deadline, not revoked. */
        const reallyHealthy = () =>
          plaid.error === undefined && truth.breaksAt === undefined && !truth.revoked;

        for (const s of steps) {
          // Act
          tick();
          const restoredBefore = w.channels.events.filter((e) => e.eventType === 'item.restored').length;
          switch (s.kind) {
            case 'plaid':
              if (truth.revoked) break;
              switch (s.event) {
                case 'ERROR':
                  plaid.error = { code: 'ITEM_LOGIN_REQUIRED', message: 'login changed' };
                  emit('ERROR', {
                    error: { error_code: 'ITEM_LOGIN_REQUIRED', error_message: 'login changed' },
                  });
                  break;
                case 'LOGIN_REPAIRED':
                  if (plaid.error?.code !== 'ITEM_LOGIN_REQUIRED' && truth.breaksAt === undefined) break;
                  plaid.error = undefined;
                  truth.breaksAt = undefined;
                  emit('LOGIN_REPAIRED');
                  break;
                case 'PENDING_DISCONNECT':
                  truth.breaksAt ??= new Date(now().getTime() + 7 * DAY * 1000).toISOString();
                  emit('PENDING_DISCONNECT', { reason: 'INSTITUTION_MIGRATION' });
                  break;
                case 'PENDING_EXPIRATION':
                  plaid.consentExpiresAt = new Date(now().getTime() + 7 * DAY * 1000).toISOString();
                  truth.breaksAt = plaid.consentExpiresAt;
                  emit('PENDING_EXPIRATION', { consent_expiration_time: plaid.consentExpiresAt });
                  break;
                case 'USER_PERMISSION_REVOKED':
                  truth.revoked = true;
                  plaid.error = { code: 'USER_PERMISSION_REVOKED', message: 'revoked' };
                  emit('USER_PERMISSION_REVOKED');
                  break;
                case 'USER_ACCOUNT_REVOKED':
                  emit('USER_ACCOUNT_REVOKED', { account_id: 'acc_1' });
                  break;
                case 'NEW_ACCOUNTS_AVAILABLE':
                  emit('NEW_ACCOUNTS_AVAILABLE');
                  break;
                case 'TRANSIENT':
                  if (plaid.error === undefined)
                    plaid.error = { code: 'INTERNAL_SERVER_ERROR', message: 'x' };
                  break;
                case 'INSTITUTION_DOWN':
                  w.plaid.institutions.set('ins_109508', 'down');
                  break;
                case 'INSTITUTION_BACK':
                  w.plaid.institutions.set('ins_109508', 'healthy');
                  if (plaid.error?.code === 'INTERNAL_SERVER_ERROR') plaid.error = undefined;
                  break;
                case 'DATA_STOPS':
                  truth.dataStopped = true;
                  break;
                case 'DATA_RESUMES':
                  truth.dataStopped = false;
                  break;
              }
              break;
            case 'deliver': {
              if (queue.length === 0) break;
              const sent = queue[s.pick % queue.length];
              if (sent === undefined) break;
              const iat = s.mode === 'retry' ? now() : sent.iat;
              await receive(`valid:${iat.toISOString()}`, JSON.stringify(sent.body));
              if (s.mode === 'first') queue.splice(queue.indexOf(sent), 1);
              break;
            }
            case 'poll':
              await check({ itemId: 'item_1', dispatchedAt: now().toISOString() });
              break;
            case 'repair_in_app':
              try {
                await createUpdateLinkToken(w.deps)('usr_a', 'item_1');
                if (!truth.revoked) {
                  plaid.error = undefined;
                  truth.breaksAt = undefined;
                  plaid.consentExpiresAt = new Date(now().getTime() + 365 * DAY * 1000).toISOString();
                  tick();
                }
                await repairItem(w.deps)('usr_a', 'item_1');
              } catch (error) {
                if (!(error instanceof AppError)) throw error;
                expect(['STILL_BROKEN', 'RELINK_REQUIRED']).toContain(error.code);
              }
              break;
            case 'time':
              w.clock.advance(s.seconds);
              break;
          }

          // Assess: a "restored" went out only while Plaid really has the Item working.
          const restoredAfter = w.channels.events.filter((e) => e.eventType === 'item.restored').length;
          if (restoredAfter > restoredBefore) expect(reallyHealthy()).toBe(true);
        }

        // Assess: every message sent matches exactly one ledger entry, and no step twice.
        const sends = w
          .history()
          .filter((e) => e.type === 'alert_sent')
          .map((e) => `${e.step}:${e.detail}`);
        const claims = [...w.stores.table.alertClaims.values()].filter((c) => c.state === 'sent');
        expect(sends.length).toBe(claims.length);
        expect(w.channels.sms.length + w.channels.events.length).toBe(claims.length);
        const perSeries = new Map<string, string[]>();
        for (const c of claims) {
          const key = `${c.episodeId}:${c.channel}`;
          perSeries.set(key, [...(perSeries.get(key) ?? []), c.step]);
        }
        for (const stepsSent of perSeries.values()) expect(new Set(stepsSent).size).toBe(stepsSent.length);
        // A revocation the user made gets one notice and no reminders.
        expect(w.channels.events.filter((e) => e.eventType === 'item.notice').length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 150 },
    );
  });
});
