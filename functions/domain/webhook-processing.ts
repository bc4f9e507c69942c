import { addSeconds } from './clock';
import { applyAndNotify, type ItemCheckDeps, observeAtPlaid, withInstitutionStatus } from './item-checks';
import { applyObservation, type Observation, type PlaidItemRecord } from './item-state-machine';
import { classifyPlaidError } from './plaid-errors';
import { observationOf, parseBody } from './plaid-webhooks';
import type { ItemCallPacer } from './ports/item-call-pacer';
import type { WebhookMessage } from './ports/webhook-queue';

/** What processing a webhook did (for the log and the metric). */
export type WebhookOutcome =
  | 'applied'
  | 'unchanged'
  | 'recorded'
  | 'not_confirmed'
  | 'deferred'
  | 'older_content'
  | 'operator_fault'
  | 'unknown_item'
  | 'ignored_type';

export interface WebhookProcessingDeps extends ItemCheckDeps {
  /** Keeps confirmations within Plaid's 15 `/item/get` a minute per Item. */
  pacer: ItemCallPacer;
}

type Confirmation = { startedAt: number; observation: Observation };

/**
 * The webhook processor (the webhook queue's worker). A webhook is a trigger, not a verdict:
 *
 * - One that would open an episode (the first alert) is confirmed with `/item/get` first. An
 *   `ERROR` that Plaid's `/item/get` no longer shows is not applied: that is how a retried
 *   `ERROR` (Plaid retries with a fresh `iat`, so its time proves nothing) arriving after a
 *   verified repair is kept from reopening the episode. Webhook-only states (`PENDING_*`) leave
 *   `/item/get` clean by nature: the call confirms the Item is there and ours to read.
 * - A confirmation is a `/item/get` started after the webhook was signed; one made for an
 *   earlier webhook of the burst serves the later ones, and the pacer spaces the others, so a
 *   burst never exceeds Plaid's per-Item limit.
 * - A `PENDING_EXPIRATION` whose consent time is earlier than the one the Item already has is
 *   older content (a retry from before a renewal) and changes nothing.
 * - Plaid rate-limiting or failing the confirmation defers the webhook to the poller (the Item's
 *   next check moves to the first back-off); an error of our own configuration changes nothing
 *   and is reported.
 * - `LOGIN_REPAIRED` (the one webhook that would close an episode) is confirmed with `/item/get`
 *   too, so a retried or forged-in-time one never sends a false "connected again"; what Plaid
 *   reports instead is applied.
 * - A Plaid error (a webhook's or a confirmation's) carries the institution's status, so a
 *   "sign in again" alert is held during an institution outage.
 * - Everything else goes through the Item state machine as before (ordered by `iat` there).
 *
 * @example
 * await processPlaidWebhook(deps)({ itemId, body, issuedAt });
 */
export function processPlaidWebhook(deps: WebhookProcessingDeps) {
  const confirmations = new Map<string, Confirmation>();

  const confirm = async (item: PlaidItemRecord, issuedAt: Date): Promise<Confirmation> => {
    const earlier = confirmations.get(item.itemId);
    // `iat` has whole seconds: a call is after the signature only from the next second on.
    if (earlier !== undefined && earlier.startedAt >= issuedAt.getTime() + 1000) return earlier;
    await deps.pacer.turn(item.itemId);
    const startedAt = deps.clock.now().getTime();
    const observation = await observeAtPlaid(deps, item);
    const confirmation = { startedAt, observation };
    confirmations.set(item.itemId, confirmation);
    for (const [itemId, c] of confirmations)
      if (c.startedAt < startedAt - 60_000) confirmations.delete(itemId);
    return confirmation;
  };

  const note = async (item: PlaidItemRecord, detail: string, nextCheckAt?: Date) => {
    await deps.items.save(
      {
        ...item,
        version: item.version + 1,
        ...(nextCheckAt !== undefined && nextCheckAt.toISOString() < item.nextCheckAt
          ? { nextCheckAt: nextCheckAt.toISOString() }
          : {}),
      },
      [{ type: 'observation_ignored', at: deps.clock.now().toISOString(), source: 'webhook', detail }],
    );
  };

  return async (message: WebhookMessage): Promise<{ outcome: WebhookOutcome; code?: string }> => {
    const body = parseBody(message.body);
    if (body === undefined) return { outcome: 'ignored_type' };
    const code = String(body.webhook_code ?? '');
    const issuedAt = new Date(message.issuedAt);
    const observation = observationOf(body, issuedAt);
    if (observation === undefined) return { outcome: 'ignored_type', code };
    const item = await deps.items.get(message.itemId);
    if (item === undefined) return { outcome: 'unknown_item', code };
    if (observation === 'record') {
      await deps.items.save({ ...item, version: item.version + 1 }, [
        { type: 'webhook_received', at: deps.clock.now().toISOString(), source: 'webhook', detail: code },
      ]);
      return { outcome: 'recorded', code };
    }
    if (
      observation.kind === 'pending_expiration' &&
      item.consentExpiresAt !== undefined &&
      new Date(observation.consentExpiresAt).toISOString() < item.consentExpiresAt
    ) {
      await note(item, `${code}: older than the consent the Item has`);
      return { outcome: 'older_content', code };
    }

    const ctx = { source: 'webhook' as const, at: issuedAt };
    const now = deps.clock.now();
    if (observation.kind === 'login_repaired') {
      const found = (await confirm(item, issuedAt)).observation;
      if (found.kind === 'plaid_error' && classifyPlaidError(found.code).category === 'operator') {
        await deps.operatorFault(found.code, item.itemId);
        return { outcome: 'operator_fault', code };
      }
      const confirmed: Observation = found.kind === 'healthy' ? { kind: 'login_repaired' } : found;
      const { transition } = await applyAndNotify(deps, item, confirmed, ctx);
      return { outcome: transition.changed ? 'applied' : 'unchanged', code };
    }
    const preview = applyObservation(
      item,
      observation,
      { ...ctx, now, newEpisodeId: () => 'preview', random: deps.random },
      deps.schedule,
    );
    const opensEpisode = item.episode === undefined && preview.item.episode !== undefined;
    if (!opensEpisode) {
      const observed = await withInstitutionStatus(deps, item, observation);
      const { transition } = await applyAndNotify(deps, item, observed, ctx);
      return { outcome: transition.changed ? 'applied' : 'unchanged', code };
    }

    const confirmation = await confirm(item, issuedAt);
    const found = confirmation.observation;
    if (found.kind === 'plaid_error') {
      const kind = classifyPlaidError(found.code);
      if (kind.category === 'operator') {
        await deps.operatorFault(found.code, item.itemId);
        return { outcome: 'operator_fault', code };
      }
      if (kind.category === 'rate_limited' || kind.category === 'transient') {
        await note(
          item,
          `${code}: not confirmed, Plaid answered ${found.code}; the poller checks again`,
          addSeconds(now, deps.schedule.transientFirstSeconds),
        );
        return { outcome: 'deferred', code };
      }
      // Confirmed broken. Plaid's /item/get is the truth; the webhook's own words when they agree.
      const agrees = observation.kind === 'plaid_error' && observation.code === found.code;
      const { transition } = agrees
        ? await applyAndNotify(deps, item, await withInstitutionStatus(deps, item, observation), ctx)
        : await applyAndNotify(deps, item, found, { source: 'poll', at: new Date(confirmation.startedAt) });
      return { outcome: transition.changed ? 'applied' : 'unchanged', code };
    }
    if (observation.kind === 'plaid_error') {
      await note(item, `${code} ${observation.code}: not confirmed, /item/get is clean`);
      return { outcome: 'not_confirmed', code };
    }
    const { transition } = await applyAndNotify(deps, item, observation, ctx);
    return { outcome: transition.changed ? 'applied' : 'unchanged', code };
  };
}
