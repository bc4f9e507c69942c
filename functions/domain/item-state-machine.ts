import type { Episode } from './alert-policy';
import { type CheckSchedule, nextCheckAt } from './check-schedule';
import { addSeconds } from './clock';
import { type InstitutionStatus, type ItemStatus, NEEDS_ACTION } from './item-status';
import { classifyPlaidError, type RepairMode, repairModeFor } from './plaid-errors';
import type { ItemUpdateType } from './ports/plaid-gateway';

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
  /** Our last check that Plaid answered without an error. */
  lastSuccessAt?: string;
  /** Plaid's last successful data update (`status.transactions.last_successful_update`). */
  lastSyncAt?: string;
  /** Since when the Item has had no successful update for too long while Plaid reports no error. */
  staleSince?: string;
  /**
   * `user_present_required` when Plaid updates the Item only while the user is present (Plaid's
   * `item.update_type`); absent for `background`, the usual case.
   */
  updateType?: 'user_present_required';
  /** When the user's consent ends (Plaid's `consent_expiration_time`). */
  consentExpiresAt?: string;
  /** When a `PENDING_DISCONNECT` takes effect: the Item breaks then unless repaired. */
  disconnectAt?: string;
  /** How the Item can be repaired, while it needs repair: update mode, or only a new link. */
  repairMode?: RepairMode;
  /** What Plaid last said about the institution's item logins, when we asked. */
  institutionStatus?: InstitutionStatus;
  /** Since when an institution outage has touched this Item (an alert held, or checks failing). */
  outageSince?: string;
  /** An outage that ended while it touched this Item: the user is told once that the bank is back. */
  backNotice?: { id: string; at: string };
  /** When the Item's re-authentication episodes of the last 30 days opened. */
  reauthEpisodesAt?: string[];
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

/**
 * Something we learned about an Item. `healthy` is a clean `/item/get` (with what it says about
 * consent, data freshness and, when asked, the institution); the others come from webhooks
 * (`pending_*`, `login_repaired`, `account_revoked`) or from Plaid's errors.
 */
export type Observation =
  | {
      kind: 'healthy';
      consentExpiresAt?: string | null;
      /** Plaid's `status.transactions.last_successful_update`; `null` when Plaid has none. */
      lastSuccessfulUpdate?: string | null;
      /** Plaid's `item.update_type`, when it says. */
      updateType?: ItemUpdateType;
      institutionStatus?: InstitutionStatus;
    }
  | { kind: 'plaid_error'; code: string; message?: string; institutionStatus?: InstitutionStatus }
  | { kind: 'pending_expiration'; consentExpiresAt: string }
  | {
      kind: 'pending_disconnect';
      disconnectAt: string;
      /**
       * The webhook gave no `disconnect_time`: the deadline is its `iat` plus Plaid's 7 days. A
       * retry of it carries a fresh `iat`, so such an estimate never moves a deadline already known.
       */
      estimated?: boolean;
    }
  /** Plaid's `LOGIN_REPAIRED`: the user repaired the Item outside this app. */
  | { kind: 'login_repaired' }
  /** Plaid's `USER_ACCOUNT_REVOKED`: one account of the Item is gone; the Item itself is fine. */
  | { kind: 'account_revoked'; accountId?: string };

export type ObservationSource = 'poll' | 'webhook' | 'repair' | 'link' | 'account_deletion';

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
    | 'deadline_set'
    | 'became_stale'
    | 'fresh_again'
    | 'account_revoked'
    | 'institution_status'
    | 'alert_held'
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
  /** Status, error, deadlines, freshness or episode changed (the item must be written with its events). */
  changed: boolean;
  /** The Item came back to healthy from a needs-action episode, verified. */
  restored: boolean;
  /** A Plaid code we do not know; the caller logs it. */
  unknownCode?: string;
  /** An error of our own configuration (`INVALID_ACCESS_TOKEN`, …): the Item is unchanged; operators count it. */
  operatorFault?: string;
}

/** Consent ending within this long counts as pending expiration even without Plaid's webhook. */
/** How long before consent ends an Item counts as `pending_expiration` (Plaid warns 7 days ahead). */
export const CONSENT_WARNING_SECONDS = 7 * 86400;
/** Re-authentications counted over this window; the third within it gets a different message. */
const REAUTH_WINDOW_SECONDS = 30 * 86400;
const REPEATED_REAUTH_COUNT = 3;
/** A "bank is back" notice not sent within this long is dropped. */
const BACK_NOTICE_SECONDS = 86400;
/** States only webhooks tell us about: `/item/get` is clean until their deadline. */
const WEBHOOK_ONLY: ReadonlySet<ItemStatus> = new Set(['pending_expiration', 'pending_disconnect']);

type Ctx = {
  source: ObservationSource;
  at: Date;
  now: Date;
  newEpisodeId: () => string;
  random: () => number;
};

/**
 * The one Item state machine, used by the poller, the repair route and webhooks. It keeps
 * Plaid's semantics (api.md "Plaid semantics the API keeps"):
 * - `PENDING_DISCONNECT` / `PENDING_EXPIRATION` leave `/item/get` clean, so a clean poll does not
 *   end them; they end when their deadline passes (the Item breaks, same episode), when a repair
 *   is verified (the repair route, `LOGIN_REPAIRED`), or when consent moves later.
 * - `USER_ACCOUNT_REVOKED` is recorded for its account; the Item's status does not move.
 * - `USER_PERMISSION_REVOKED` is final: only a new link (`repairMode: relink`) brings the bank back.
 * - Errors of our own configuration and rate limits change nothing.
 * - Freshness is Plaid's `last_successful_update`: too old with no error marks `staleSince`.
 * - Institution status is kept; an outage that touched the Item owes a "back" notice when it ends.
 * - The third re-authentication episode in 30 days is marked `repeated`.
 *
 * Idempotent: the same observation twice changes nothing the second time. Webhooks older than
 * the newest applied observation are ignored. Transient errors never open an episode, and do not
 * hide a needs-action status (an outage proves nothing about a repair).
 *
 * @example
 * const t = applyObservation(item, { kind: 'plaid_error', code: 'ITEM_LOGIN_REQUIRED' }, ctx, schedule);
 */
export function applyObservation(
  item: PlaidItemRecord,
  observation: Observation,
  ctx: Ctx,
  schedule: CheckSchedule,
): Transition {
  const at = ctx.at.toISOString();
  const now = ctx.now.toISOString();
  // A webhook's time is its JWT `iat`, in whole seconds: it is older only if its second is.
  const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  if (ctx.source === 'webhook' && item.lastEventAt !== undefined && second(at) < second(item.lastEventAt)) {
    return unchanged(item, [
      { type: 'observation_ignored', at: now, source: ctx.source, detail: 'older than the newest applied' },
    ]);
  }
  if (observation.kind === 'account_revoked') {
    return {
      item: { ...item, lastEventAt: latest(item.lastEventAt, at) },
      events: [
        {
          type: 'account_revoked',
          at: now,
          source: ctx.source,
          ...(observation.accountId === undefined ? {} : { detail: observation.accountId }),
        },
      ],
      changed: true,
      restored: false,
    };
  }

  const checked = ctx.source === 'poll' || ctx.source === 'repair';
  let status: ItemStatus = item.status;
  let errorCode = item.errorCode;
  let errorMessage = item.errorMessage;
  let consentExpiresAt = item.consentExpiresAt;
  let disconnectAt = item.disconnectAt;
  let lastSyncAt = item.lastSyncAt;
  let updateType = item.updateType;
  let institutionStatus = item.institutionStatus;
  let transientFailures = 0;
  let unknownCode: string | undefined;
  let scheduleAs: ItemStatus | 'rate_limited' | undefined;
  /** The observation ends a needs-action state because Plaid or a verified repair says so. */
  const final = item.status === 'revoked';

  switch (observation.kind) {
    case 'healthy': {
      if (observation.institutionStatus !== undefined) institutionStatus = observation.institutionStatus;
      if (typeof observation.lastSuccessfulUpdate === 'string')
        lastSyncAt = latest(lastSyncAt, new Date(observation.lastSuccessfulUpdate).toISOString());
      if (observation.updateType !== undefined)
        updateType = observation.updateType === 'user_present_required' ? 'user_present_required' : undefined;
      let consentMovedLater = false;
      if (observation.consentExpiresAt !== undefined) {
        const next =
          observation.consentExpiresAt === null
            ? undefined
            : new Date(observation.consentExpiresAt).toISOString();
        consentMovedLater =
          next !== undefined && item.consentExpiresAt !== undefined && next > item.consentExpiresAt;
        consentExpiresAt = next;
      }
      if (final) break;
      const repairVerified = ctx.source === 'repair';
      if (WEBHOOK_ONLY.has(item.status) && !repairVerified) {
        // Plaid's /item/get stays clean until the deadline: a clean poll proves nothing.
        if (item.status === 'pending_expiration' && consentMovedLater) status = 'healthy';
        break;
      }
      status = 'healthy';
      break;
    }
    case 'login_repaired':
      if (!final) status = 'healthy';
      break;
    case 'pending_expiration':
      consentExpiresAt = new Date(observation.consentExpiresAt).toISOString();
      if (!final && !isBroken(item.status)) status = 'pending_expiration';
      break;
    case 'pending_disconnect':
      // A retried webhook (fresh `iat`) must not push the deadline, and its countdown, later.
      if (observation.estimated !== true || item.disconnectAt === undefined)
        disconnectAt = new Date(observation.disconnectAt).toISOString();
      if (!final && !isBroken(item.status)) status = 'pending_disconnect';
      break;
    case 'plaid_error': {
      if (observation.institutionStatus !== undefined) institutionStatus = observation.institutionStatus;
      const kind = classifyPlaidError(observation.code);
      if (!kind.known) unknownCode = observation.code;
      if (kind.category === 'rate_limited' || kind.category === 'operator') {
        // Nothing learned about the Item: keep everything, try again after the first back-off.
        return {
          ...unchanged({
            ...item,
            nextCheckAt: nextCheckAt('rate_limited', 0, ctx.now, schedule, ctx.random).toISOString(),
          }),
          ...(kind.category === 'operator' ? { operatorFault: observation.code } : {}),
        };
      }
      if (final) break;
      if (kind.category === 'transient') {
        transientFailures = item.transientFailures + 1;
        if (!NEEDS_ACTION.has(item.status)) {
          status = 'error';
          errorCode = observation.code;
          errorMessage = observation.message;
        }
        scheduleAs = 'error';
      } else {
        status = kind.status ?? 'error';
        errorCode = observation.code;
        errorMessage = observation.message;
      }
      break;
    }
  }

  // A deadline that passed breaks a pending Item (the same episode goes on: no second alert).
  const deadline =
    status === 'pending_disconnect'
      ? disconnectAt
      : status === 'pending_expiration'
        ? consentExpiresAt
        : undefined;
  const deadlinePassed = deadline !== undefined && deadline <= now;
  if (deadlinePassed) {
    status = 'login_required';
    errorCode = observation.kind === 'plaid_error' ? observation.code : undefined;
    errorMessage = observation.kind === 'plaid_error' ? observation.message : undefined;
  }
  // Consent about to end counts as pending expiration even if Plaid's webhook never came.
  if (
    status === 'healthy' &&
    consentExpiresAt !== undefined &&
    new Date(consentExpiresAt) <= addSeconds(ctx.now, CONSENT_WARNING_SECONDS)
  )
    status = consentExpiresAt <= now ? 'login_required' : 'pending_expiration';
  if (status === 'healthy' || status === 'error') {
    errorCode = status === 'error' ? errorCode : undefined;
    errorMessage = status === 'error' ? errorMessage : undefined;
  }
  if (status === 'healthy') disconnectAt = undefined;

  const wasNeeds = NEEDS_ACTION.has(item.status);
  const isNeeds = NEEDS_ACTION.has(status);
  let episode = item.episode;
  let reauthEpisodesAt = (item.reauthEpisodesAt ?? []).filter(
    (t) => addSeconds(new Date(t), REAUTH_WINDOW_SECONDS) > ctx.now,
  );
  // An Item that needs the user always has an episode, even one that was linked broken.
  if (isNeeds && episode === undefined) {
    episode = { id: ctx.newEpisodeId(), startedAt: now };
    if (status === 'login_required') {
      reauthEpisodesAt = [...reauthEpisodesAt, now];
      if (reauthEpisodesAt.length >= REPEATED_REAUTH_COUNT) episode.repeated = true;
    }
  }
  if (wasNeeds && !isNeeds) episode = undefined;
  const restored = wasNeeds && status === 'healthy';

  // Silent staleness: no successful update for too long while Plaid reports no error. An Item
  // Plaid updates only with the user present is quiet by design between the user's visits: no
  // background update is due, so its silence is not staleness.
  let staleSince = status === 'healthy' && updateType === undefined ? item.staleSince : undefined;
  if (status === 'healthy' && checked && lastSyncAt !== undefined && updateType === undefined) {
    const stale = addSeconds(new Date(lastSyncAt), schedule.staleAfterSeconds) <= ctx.now;
    staleSince = stale ? (item.staleSince ?? now) : undefined;
  }

  // Outages: an Item touched by one (not healthy while the institution is not) is told when it ends.
  const institutionOut = institutionStatus === 'down' || institutionStatus === 'degraded';
  let outageSince = item.outageSince;
  let backNotice =
    item.backNotice !== undefined && addSeconds(new Date(item.backNotice.at), BACK_NOTICE_SECONDS) > ctx.now
      ? item.backNotice
      : undefined;
  if (institutionOut && status !== 'healthy') outageSince ??= now;
  if (!institutionOut && outageSince !== undefined) {
    // A broken Item hears about it through its (no longer held) alert instead.
    if (!isNeeds) backNotice = { id: `back-${outageSince}`, at: now };
    outageSince = undefined;
  }

  const next: PlaidItemRecord = {
    ...item,
    status,
    transientFailures,
    nextCheckAt: clampToDeadline(
      nextCheckAt(scheduleAs ?? status, transientFailures, ctx.now, schedule, ctx.random),
      status === 'pending_disconnect'
        ? disconnectAt
        : status === 'pending_expiration'
          ? consentExpiresAt
          : undefined,
    ).toISOString(),
    lastEventAt: latest(item.lastEventAt, at),
    ...(checked ? { lastCheckedAt: now } : {}),
    ...(checked && observation.kind === 'healthy' ? { lastSuccessAt: now } : {}),
  };
  setOptional(next, 'errorCode', errorCode);
  setOptional(next, 'errorMessage', errorMessage);
  setOptional(next, 'consentExpiresAt', consentExpiresAt);
  setOptional(next, 'disconnectAt', disconnectAt);
  setOptional(next, 'lastSyncAt', lastSyncAt);
  setOptional(next, 'updateType', updateType);
  setOptional(next, 'staleSince', staleSince);
  setOptional(next, 'institutionStatus', institutionStatus);
  setOptional(next, 'outageSince', outageSince);
  setOptional(next, 'backNotice', backNotice);
  setOptional(next, 'reauthEpisodesAt', reauthEpisodesAt.length === 0 ? undefined : reauthEpisodesAt);
  setOptional(next, 'episode', episode);
  setOptional(next, 'repairMode', repairModeFor(status, errorCode));
  if (restored && item.episode !== undefined) next.restoredEpisodeId = item.episode.id;

  const events: ItemEvent[] = [];
  const base = { at: now, source: ctx.source };
  if (disconnectAt !== item.disconnectAt && disconnectAt !== undefined)
    events.push({ ...base, type: 'deadline_set', detail: `disconnect at ${disconnectAt}` });
  if (
    observation.kind === 'pending_expiration' &&
    consentExpiresAt !== undefined &&
    consentExpiresAt !== item.consentExpiresAt
  )
    events.push({ ...base, type: 'deadline_set', detail: `consent expires at ${consentExpiresAt}` });
  const statusChanged = status !== item.status || errorCode !== item.errorCode;
  if (statusChanged) {
    events.push({
      ...base,
      type: 'status_changed',
      from: item.status,
      to: status,
      ...(observation.kind === 'plaid_error' ? { errorCode: observation.code } : {}),
      ...(deadlinePassed ? { detail: 'deadline passed' } : {}),
    });
  }
  if (restored) events.push({ ...base, type: 'restored', from: item.status, to: status });
  if (staleSince !== undefined && item.staleSince === undefined)
    events.push({ ...base, type: 'became_stale', detail: `last successful update ${lastSyncAt}` });
  if (staleSince === undefined && item.staleSince !== undefined && status === 'healthy')
    events.push({ ...base, type: 'fresh_again' });
  const firstSeenHealthy = item.institutionStatus === undefined && institutionStatus === 'healthy';
  if (institutionStatus !== item.institutionStatus && institutionStatus !== undefined && !firstSeenHealthy)
    events.push({ ...base, type: 'institution_status', detail: institutionStatus });
  const changed =
    events.length > 0 ||
    consentExpiresAt !== item.consentExpiresAt ||
    episode?.id !== item.episode?.id ||
    lastSyncAt !== item.lastSyncAt ||
    updateType !== item.updateType ||
    outageSince !== item.outageSince ||
    backNotice?.id !== item.backNotice?.id;
  return { item: next, events, changed, restored, ...(unknownCode === undefined ? {} : { unknownCode }) };
}

/** Needs the user more than a pending deadline does: a pending webhook does not soften it. */
function isBroken(status: ItemStatus): boolean {
  return NEEDS_ACTION.has(status) && !WEBHOOK_ONLY.has(status);
}

function unchanged(item: PlaidItemRecord, events: ItemEvent[] = []): Transition {
  return { item, events, changed: false, restored: false };
}

function latest(a: string | undefined, b: string): string {
  return a !== undefined && a > b ? a : b;
}

/** A check is due no later than just after a pending deadline, to break the Item on time. */
function clampToDeadline(next: Date, deadline: string | undefined): Date {
  if (deadline === undefined) return next;
  const at = addSeconds(new Date(deadline), 60);
  return at < next ? at : next;
}

function setOptional<K extends keyof PlaidItemRecord>(
  record: PlaidItemRecord,
  key: K,
  value: PlaidItemRecord[K] | undefined,
) {
  if (value === undefined) delete record[key];
  else record[key] = value;
}
