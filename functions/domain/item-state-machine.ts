import type { Episode } from './alert-policy';
import { type CheckSchedule, nextCheckAt } from './check-schedule';
import { addSeconds } from './clock';
import { type ItemStatus, NEEDS_ACTION } from './item-status';
import { classifyPlaidError } from './plaid-errors';

/** A linked bank (Plaid Item), as stored. The access token is only ever ciphertext here. */
export interface PlaidItemRecord {
  itemId: string;
  userId: string;
  institutionId: string;
  institutionName: string;
  status: ItemStatus;
  errorCode?: string;
  errorMessage?: string;
  /** AES-256-GCM ciphertext of the Plaid access token, bound to the item id. */
  accessTokenCiphertext: string;
  createdAt: string;
  lastCheckedAt?: string;
  lastSuccessAt?: string;
  consentExpiresAt?: string;
  nextCheckAt: string;
  /** Consecutive transient failures, for back-off. */
  transientFailures: number;
  /** When the newest applied observation happened (a webhook's `iat`, a check's time). */
  lastEventAt?: string;
  /** Optimistic-concurrency version: every write expects the one it read. */
  version: number;
  /** The open needs-action episode, if the Item is broken. */
  episode?: Episode;
  /** The webhook URL Plaid has for this Item, as far as we know. */
  webhookUrl?: string;
  /** An episode closed by a repair whose "restored" message has not gone out yet. */
  restoredEpisodeId?: string;
}

/** Something we learned about an Item. */
export type Observation =
  | { kind: 'healthy'; consentExpiresAt?: string | null }
  | { kind: 'plaid_error'; code: string; message?: string }
  | { kind: 'pending_expiration'; consentExpiresAt: string };

export type ObservationSource = 'poll' | 'webhook' | 'repair' | 'link';

/** One entry of an Item's history. */
export interface ItemEvent {
  type:
    | 'linked'
    | 'status_changed'
    | 'restored'
    | 'alert_sent'
    | 'removed'
    | 'observation_ignored'
    | 'webhook_received'
    /** What Link told the app at a repair (onSuccess or onExit metadata). */
    | 'link_session';
  at: string;
  source?: ObservationSource;
  from?: ItemStatus;
  to?: ItemStatus;
  errorCode?: string;
  step?: string;
  detail?: string;
  /** Link's `link_session_id` (linking, or the repair's Link session). */
  linkSessionId?: string;
  /** Link's onExit `status`: where the user left Link. */
  linkStatus?: string;
}

export interface Transition {
  item: PlaidItemRecord;
  events: ItemEvent[];
  /** Status, error, consent or episode changed (the item must be written with its events). */
  changed: boolean;
  /** The Item came back to healthy from a needs-action episode. */
  restored: boolean;
  /** A Plaid code we do not know; the caller logs it. */
  unknownCode?: string;
}

/** Consent ending within this long counts as pending expiration even without Plaid's webhook. */
const CONSENT_WARNING_SECONDS = 7 * 86400;

/**
 * The one Item state machine, used by the poller, the repair route and webhooks. Idempotent: the
 * same observation twice changes nothing the second time. Observations older than the newest one
 * applied (out-of-order webhooks) are ignored. Transient errors never open an episode, and do
 * not hide a needs-action status (an outage proves nothing about a repair).
 *
 * @example
 * const t = applyObservation(item, { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' }, ctx, schedule);
 */
export function applyObservation(
  item: PlaidItemRecord,
  observation: Observation,
  ctx: { source: ObservationSource; at: Date; now: Date; newEpisodeId: () => string; random: () => number },
  schedule: CheckSchedule,
): Transition {
  const at = ctx.at.toISOString();
  // A webhook's time is its JWT `iat`, in whole seconds: it is older only if its second is.
  const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  if (ctx.source === 'webhook' && item.lastEventAt !== undefined && second(at) < second(item.lastEventAt)) {
    return {
      item,
      events: [
        {
          type: 'observation_ignored',
          at: ctx.now.toISOString(),
          source: ctx.source,
          detail: 'older than the newest applied',
        },
      ],
      changed: false,
      restored: false,
    };
  }

  const now = ctx.now.toISOString();
  const checked = ctx.source === 'poll' || ctx.source === 'repair';
  let status: ItemStatus;
  let errorCode: string | undefined;
  let errorMessage: string | undefined;
  let consentExpiresAt = item.consentExpiresAt;
  let transientFailures = 0;
  let unknownCode: string | undefined;
  let scheduleAs: ItemStatus | 'rate_limited';

  switch (observation.kind) {
    case 'healthy': {
      // A webhook saying "repaired" knows nothing of consent: keep what we have.
      if (observation.consentExpiresAt !== undefined)
        consentExpiresAt = observation.consentExpiresAt ?? undefined;
      const expiringSoon =
        consentExpiresAt !== undefined &&
        new Date(consentExpiresAt) <= addSeconds(ctx.now, CONSENT_WARNING_SECONDS);
      status = expiringSoon ? 'pending_expiration' : 'healthy';
      scheduleAs = status;
      break;
    }
    case 'pending_expiration':
      consentExpiresAt = observation.consentExpiresAt;
      status = 'pending_expiration';
      scheduleAs = status;
      break;
    case 'plaid_error': {
      const kind = classifyPlaidError(observation.code);
      if (!kind.known) unknownCode = observation.code;
      if (kind.category === 'rate_limited') {
        // Nothing learned: keep everything, try again after the first back-off.
        return {
          item: {
            ...item,
            nextCheckAt: nextCheckAt('rate_limited', 0, ctx.now, schedule, ctx.random).toISOString(),
          },
          events: [],
          changed: false,
          restored: false,
        };
      }
      if (kind.category === 'transient') {
        transientFailures = item.transientFailures + 1;
        const keepNeedsAction = NEEDS_ACTION.has(item.status);
        status = keepNeedsAction ? item.status : 'error';
        errorCode = keepNeedsAction ? item.errorCode : observation.code;
        errorMessage = keepNeedsAction ? item.errorMessage : observation.message;
        scheduleAs = 'error';
      } else {
        status = kind.status ?? 'error';
        errorCode = observation.code;
        errorMessage = observation.message;
        scheduleAs = status;
      }
      break;
    }
  }

  const wasNeeds = NEEDS_ACTION.has(item.status);
  const isNeeds = NEEDS_ACTION.has(status);
  let episode = item.episode;
  // An Item that needs the user always has an episode, even one that was linked broken.
  if (isNeeds && episode === undefined) episode = { id: ctx.newEpisodeId(), startedAt: now };
  if (wasNeeds && !isNeeds) episode = undefined;
  const restored = wasNeeds && status === 'healthy';

  const next: PlaidItemRecord = {
    ...item,
    status,
    transientFailures,
    nextCheckAt: nextCheckAt(scheduleAs, transientFailures, ctx.now, schedule, ctx.random).toISOString(),
    lastEventAt: item.lastEventAt !== undefined && item.lastEventAt > at ? item.lastEventAt : at,
    ...(checked ? { lastCheckedAt: now } : {}),
    ...(checked && observation.kind !== 'plaid_error' ? { lastSuccessAt: now } : {}),
  };
  setOptional(next, 'errorCode', errorCode);
  setOptional(next, 'errorMessage', errorMessage);
  setOptional(next, 'consentExpiresAt', consentExpiresAt);
  setOptional(next, 'episode', episode);
  if (restored && item.episode !== undefined) next.restoredEpisodeId = item.episode.id;

  const events: ItemEvent[] = [];
  const statusChanged = status !== item.status || errorCode !== item.errorCode;
  if (statusChanged) {
    events.push({
      type: 'status_changed',
      at: now,
      source: ctx.source,
      from: item.status,
      to: status,
      ...(observation.kind === 'plaid_error' ? { errorCode: observation.code } : {}),
    });
  }
  if (restored) events.push({ type: 'restored', at: now, source: ctx.source, from: item.status, to: status });
  const changed =
    statusChanged || consentExpiresAt !== item.consentExpiresAt || episode?.id !== item.episode?.id;
  return { item: next, events, changed, restored, ...(unknownCode === undefined ? {} : { unknownCode }) };
}

function setOptional<K extends keyof PlaidItemRecord>(
  record: PlaidItemRecord,
  key: K,
  value: PlaidItemRecord[K] | undefined,
) {
  if (value === undefined) delete record[key];
  else record[key] = value;
}
