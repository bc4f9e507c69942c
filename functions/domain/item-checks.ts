import {
  alertMessage,
  type CountdownStep,
  countdownMessage,
  dueCountdownStep,
  dueStep,
  type LedgerStep,
  type NoticeStep,
  noticeMessage,
} from './alert-policy';
import type { CheckSchedule } from './check-schedule';
import type { Clock } from './clock';
import { addSeconds } from './clock';
import { ConflictError, NotFoundError, PlaidRequestError } from './errors';
import {
  applyObservation,
  type Observation,
  type ObservationSource,
  type PlaidItemRecord,
  type Transition,
} from './item-state-machine';
import { type InstitutionStatus, REPEATED_REAUTH_REASON, reasonFor } from './item-status';
import { classifyPlaidError } from './plaid-errors';
import type { AccessTokenCipher } from './ports/access-token-cipher';
import type { AlertChannels } from './ports/alert-channels';
import type { AlertChannel, AlertKey, AlertLedger } from './ports/alert-ledger';
import type { PlaidGateway } from './ports/plaid-gateway';
import type { PlaidItemStore } from './ports/plaid-item-store';
import type { UserDirectory } from './ports/user-directory';

/** A claim not completed within this long is presumed lost (a crashed function) and retried. */
const STALE_CLAIM_SECONDS = 10 * 60;
const MAX_WRITE_ATTEMPTS = 4;

export interface ItemCheckDeps {
  clock: Clock;
  plaid: PlaidGateway;
  cipher: AccessTokenCipher;
  items: PlaidItemStore;
  users: UserDirectory;
  ledger: AlertLedger;
  channels: AlertChannels;
  schedule: CheckSchedule;
  /** Where Plaid should send this deployment's webhooks; Items pointing elsewhere are re-pointed. */
  webhookUrl?: string | undefined;
  random: () => number;
  newId: (prefix: string) => string;
  /** Told what operators should see: Plaid codes we do not know (treated as transient), failed sends. */
  report: {
    unknownPlaidCode(code: string, itemId: string): void;
    sendFailed(channel: AlertChannel, itemId: string, errorName: string): void;
  };
  /**
   * An error of our own configuration (`INVALID_API_KEYS`, `INVALID_ACCESS_TOKEN`, …) met outside
   * a poller pass: a webhook's confirmation or a repair. The Item is not touched; the poller's
   * circuit breaker counts it (and its metric feeds the operator-fault alarm). A poller check's
   * faults are counted by the breaker around it instead.
   */
  operatorFault(code: string, itemId: string): Promise<void> | void;
}

/** What one check did. */
export interface CheckOutcome {
  checked: boolean;
  changed: boolean;
  notified: boolean;
  item?: PlaidItemRecord;
  /** Plaid refused us, not the Item (`INVALID_API_KEYS`, …): nothing was written; the poller's breaker counts it. */
  operatorFault?: string;
}

/**
 * Asks Plaid about an Item and turns the answer (or its error) into an observation: Plaid's
 * error, or a clean Item with its consent deadline and Plaid's last successful data update. When
 * the answer is an error, or the Item's institution was last seen down or degraded, it also asks
 * for the institution's status (cached per institution behind the gateway), so a "sign in again"
 * alert can be held during an outage and the user told when it ends.
 */
export async function observeAtPlaid(
  deps: Pick<ItemCheckDeps, 'plaid' | 'cipher'>,
  item: PlaidItemRecord,
): Promise<Observation> {
  const accessToken = await deps.cipher.decrypt(item.accessTokenCiphertext, item.itemId);
  let observation: Observation;
  try {
    const snapshot = await deps.plaid.getItem(accessToken);
    observation =
      snapshot.error !== undefined
        ? { kind: 'plaid_error', code: snapshot.error.code, message: snapshot.error.message }
        : {
            kind: 'healthy',
            consentExpiresAt: snapshot.consentExpiresAt ?? null,
            ...(snapshot.lastSuccessfulUpdate === undefined
              ? {}
              : { lastSuccessfulUpdate: snapshot.lastSuccessfulUpdate }),
            ...(snapshot.updateType === undefined ? {} : { updateType: snapshot.updateType }),
          };
  } catch (error) {
    if (!(error instanceof PlaidRequestError)) throw error;
    observation = { kind: 'plaid_error', code: error.plaidCode, message: error.message };
  }
  return withInstitutionStatus(deps, item, observation);
}

/**
 * Adds the institution's status to an observation when it matters: the observation is a Plaid
 * error about the Item (a webhook's or a check's), or the institution was last seen down or
 * degraded (to learn that it is back). Cached per institution behind the gateway; a failed
 * lookup adds nothing.
 */
export async function withInstitutionStatus(
  deps: Pick<ItemCheckDeps, 'plaid'>,
  item: PlaidItemRecord,
  observation: Observation,
): Promise<Observation> {
  if (observation.kind !== 'plaid_error' && observation.kind !== 'healthy') return observation;
  const outageSeen =
    item.outageSince !== undefined ||
    item.institutionStatus === 'down' ||
    item.institutionStatus === 'degraded';
  const askInstitution =
    outageSeen ||
    (observation.kind === 'plaid_error' &&
      !['rate_limited', 'operator'].includes(classifyPlaidError(observation.code).category));
  if (!askInstitution) return observation;
  const institutionStatus = await deps.plaid.institutionStatus(item.institutionId).catch(() => undefined);
  return institutionStatus === undefined ? observation : { ...observation, institutionStatus };
}

/**
 * Applies an observation to an Item and stores the result, re-reading and re-applying when a
 * concurrent writer (a webhook, another check) got there first. Then sends what is due.
 */
export async function applyAndNotify(
  deps: ItemCheckDeps,
  item: PlaidItemRecord,
  observation: Observation,
  ctx: { source: ObservationSource; at: Date },
): Promise<{ transition: Transition; notified: boolean }> {
  let current = item;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const now = deps.clock.now();
    if (
      ctx.source === 'poll' &&
      current.lastEventAt !== undefined &&
      current.lastEventAt > ctx.at.toISOString()
    ) {
      // The poll asked Plaid before something newer was applied (a webhook that landed while the
      // poll's /item/get was under way): its answer is outdated and must not undo that. Applying
      // it would close the new episode as "restored" and schedule the next check a day later.
      return {
        transition: { item: current, events: [], changed: false, restored: false },
        notified: false,
      };
    }
    const transition = applyObservation(
      current,
      observation,
      { ...ctx, now, newEpisodeId: () => deps.newId('eps'), random: deps.random },
      deps.schedule,
    );
    if (transition.unknownCode !== undefined)
      deps.report.unknownPlaidCode(transition.unknownCode, item.itemId);
    const saved = await deps.items.save(
      { ...transition.item, version: current.version + 1 },
      transition.events,
    );
    if (saved === 'saved') {
      const stored = { ...transition.item, version: current.version + 1 };
      const notified = await sendDueAlerts(deps, stored);
      return { transition: { ...transition, item: stored }, notified };
    }
    const reread = await deps.items.get(item.itemId);
    if (reread === undefined) throw new NotFoundError('No such bank link.');
    current = reread;
  }
  throw new ConflictError();
}

/**
 * Checks one Item at Plaid (a poller worker's job). An Item already checked since `dispatchedAt`
 * (a duplicate queue delivery) is skipped, so every Item is checked once per pass.
 *
 * @example
 * await checkItem(deps)({ itemId, dispatchedAt });
 */
export function checkItem(deps: ItemCheckDeps) {
  return async (input: { itemId: string; dispatchedAt?: string }): Promise<CheckOutcome> => {
    const item = await deps.items.get(input.itemId);
    if (item === undefined) return { checked: false, changed: false, notified: false };
    if (
      input.dispatchedAt !== undefined &&
      item.lastCheckedAt !== undefined &&
      item.lastCheckedAt > input.dispatchedAt
    ) {
      // Already checked in this pass (a redelivery): finish any alert a failure left unsent.
      const pending =
        item.episode !== undefined ||
        item.restoredEpisodeId !== undefined ||
        item.staleSince !== undefined ||
        item.backNotice !== undefined ||
        item.consentExpiresAt !== undefined;
      return { checked: false, changed: false, notified: pending ? await sendDueAlerts(deps, item) : false };
    }
    const pointed = await repointWebhook(deps, item);
    // A poll's observation is as old as its question to Plaid, not its answer.
    const askedAt = deps.clock.now();
    const observation = await observeAtPlaid(deps, pointed);
    if (observation.kind === 'plaid_error' && classifyPlaidError(observation.code).category === 'operator')
      return { checked: false, changed: false, notified: false, operatorFault: observation.code };
    const { transition, notified } = await applyAndNotify(deps, pointed, observation, {
      source: 'poll',
      at: askedAt,
    });
    return { checked: true, changed: transition.changed, notified, item: transition.item };
  };
}

/**
 * A changed webhook URL reaches existing Items at their next check (`/item/webhook/update`), so a
 * configuration change re-points every Item within a day without a migration. A failure is left
 * for the next check.
 */
async function repointWebhook(deps: ItemCheckDeps, item: PlaidItemRecord): Promise<PlaidItemRecord> {
  if (deps.webhookUrl === undefined || item.webhookUrl === deps.webhookUrl) return item;
  try {
    await deps.plaid.updateWebhook(
      await deps.cipher.decrypt(item.accessTokenCiphertext, item.itemId),
      deps.webhookUrl,
    );
    return { ...item, webhookUrl: deps.webhookUrl };
  } catch {
    return item;
  }
}

/** Institution statuses during which "sign in again" alerts are held: signing in would fail. */
const OUTAGE: ReadonlySet<InstitutionStatus | undefined> = new Set(['down', 'degraded']);

/**
 * Sends what is due for an Item, each step at most once per channel (claimed in the ledger first,
 * so racing passes and webhooks send once; a failed send is released and retried next pass):
 * - an open episode: the latest due alert or reminder (SMS only to a verified phone with SMS on;
 *   the topic always) — held while the institution is down or degraded; for a revocation the
 *   user made, one neutral notice on the topic and nothing more; for a pending deadline, the
 *   countdown instead;
 * - a deadline (consent expiry, a pending disconnect): reminders 30, 14, 7 and 1 day(s) before;
 * - staleness: one alert; the end of an outage that touched the Item: one notice;
 * - a verified repair: the "restored" event.
 */
export async function sendDueAlerts(deps: ItemCheckDeps, item: PlaidItemRecord): Promise<boolean> {
  const now = deps.clock.now();
  const staleBefore = addSeconds(now, -STALE_CLAIM_SECONDS);
  const sends: Send[] = [];

  const episode = item.episode;
  if (episode !== undefined) {
    if (item.status === 'revoked') {
      sends.push({
        series: episode.id,
        channels: 'topic',
        pick: (sent) => (sent.includes('notice') ? undefined : 'notice'),
        publish: () => ({
          eventType: 'item.notice',
          subject: `${item.institutionName} is no longer shared`,
          message: noticeMessage('notice', item.institutionName),
        }),
      });
    } else if (item.status !== 'pending_disconnect' && item.status !== 'pending_expiration') {
      const held = item.status === 'login_required' && OUTAGE.has(item.institutionStatus);
      if (!held) {
        const reason = episode.repeated
          ? REPEATED_REAUTH_REASON
          : (reasonFor(item.status, item.errorCode) ?? '');
        sends.push({
          series: episode.id,
          channels: 'all',
          pick: (sent) => dueStep({ ...episode, sent }, now),
          publish: (step) => ({
            eventType: step === 'alert' ? 'item.needs_action' : 'item.reminder',
            subject: `${item.institutionName} needs you`,
            message: alertMessage(step as Parameters<typeof alertMessage>[0], item.institutionName, reason),
          }),
        });
      }
    }
  }

  const deadline = countdownOf(item);
  if (deadline !== undefined && dueCountdownStep(deadline.at, [], now) !== undefined) {
    sends.push({
      series: `${deadline.kind}-${deadline.at.toISOString()}`,
      channels: 'all',
      pick: (sent) => dueCountdownStep(deadline.at, sent, now),
      publish: (step) => ({
        eventType: 'item.deadline',
        subject: `${item.institutionName}: reconnect before ${deadline.at.toISOString().slice(0, 10)}`,
        message: countdownMessage(deadline.kind, step as CountdownStep, item.institutionName, deadline.at),
      }),
    });
  }

  if (item.staleSince !== undefined && item.status === 'healthy') {
    sends.push(notice(item, `stale-${item.staleSince}`, 'stale', 'all', item.lastSyncAt?.slice(0, 10)));
  }
  if (item.backNotice !== undefined) sends.push(notice(item, item.backNotice.id, 'back', 'topic'));

  let sent = false;
  if (sends.length > 0) {
    const user = (await deps.users.getUser(item.userId))?.user;
    const smsTo = user?.phone !== undefined && user.notifications.sms ? user.phone : undefined;
    for (const send of sends) {
      const channels: AlertChannel[] = [
        'topic',
        ...(send.channels === 'all' && smsTo !== undefined ? (['sms'] as const) : []),
      ];
      for (const channel of channels) {
        const steps = await deps.ledger.stepsOf({
          itemId: item.itemId,
          episodeId: send.series,
          channel,
          staleBefore,
        });
        const step = send.pick(steps);
        if (step === undefined) continue;
        const content = send.publish(step);
        sent =
          (await sendOnce(
            deps,
            { itemId: item.itemId, episodeId: send.series, step, channel },
            now,
            staleBefore,
            () =>
              channel === 'sms'
                ? deps.channels.sendSms({ phone: smsTo as string, message: content.message })
                : deps.channels.publishEvent({ ...content, userId: item.userId, itemId: item.itemId }),
          )) || sent;
      }
    }
  }
  if (item.restoredEpisodeId !== undefined) {
    const key: AlertKey = {
      itemId: item.itemId,
      episodeId: item.restoredEpisodeId,
      step: 'restored',
      channel: 'topic',
    };
    const done = await sendOnce(deps, key, now, staleBefore, () =>
      deps.channels.publishEvent({
        eventType: 'item.restored',
        userId: item.userId,
        itemId: item.itemId,
        subject: `${item.institutionName} is connected again`,
        message: `LinkGuard: ${item.institutionName} is connected again. Thanks for reconnecting.`,
      }),
    );
    sent = done || sent;
  }
  return sent;
}

/** One series of messages to consider: which step is due given what was sent, and its content. */
interface Send {
  series: string;
  channels: 'all' | 'topic';
  pick: (sent: LedgerStep[]) => LedgerStep | undefined;
  publish: (step: LedgerStep) => {
    eventType: Parameters<AlertChannels['publishEvent']>[0]['eventType'];
    subject: string;
    message: string;
  };
}

function notice(
  item: PlaidItemRecord,
  series: string,
  step: NoticeStep,
  channels: Send['channels'],
  detail?: string,
): Send {
  return {
    series,
    channels,
    pick: (sent) => (sent.includes(step) ? undefined : step),
    publish: () => ({
      eventType: step === 'stale' ? 'item.stale' : 'item.institution_back',
      subject:
        step === 'stale' ? `${item.institutionName} has no new data` : `${item.institutionName} is back`,
      message: noticeMessage(step, item.institutionName, detail),
    }),
  };
}

/** The deadline the user is counted down to, if any: a pending disconnect, else consent expiry. */
function countdownOf(item: PlaidItemRecord): { kind: 'consent' | 'disconnect'; at: Date } | undefined {
  if (item.status === 'revoked' || item.status === 'not_found') return undefined;
  if (item.status === 'pending_disconnect' && item.disconnectAt !== undefined)
    return { kind: 'disconnect', at: new Date(item.disconnectAt) };
  if (item.consentExpiresAt !== undefined) return { kind: 'consent', at: new Date(item.consentExpiresAt) };
  return undefined;
}

async function sendOnce(
  deps: ItemCheckDeps,
  key: AlertKey,
  now: Date,
  staleBefore: Date,
  publish: () => Promise<void>,
): Promise<boolean> {
  const claimId = deps.newId('clm');
  if (!(await deps.ledger.claim(key, { claimId, now, staleBefore }))) return false;
  try {
    await publish();
  } catch (error) {
    await deps.ledger.release(key, { claimId });
    deps.report.sendFailed(key.channel, key.itemId, error instanceof Error ? error.name : 'unknown');
    return false;
  }
  await deps.ledger.complete(key, {
    claimId,
    event: { type: 'alert_sent', at: now.toISOString(), step: key.step, detail: key.channel },
  });
  return true;
}

export interface DispatchDeps {
  clock: Clock;
  items: PlaidItemStore;
  queue: { enqueue(messages: { itemId: string; dispatchedAt: string }[]): Promise<void> };
  shards: number;
}

/**
 * The poller's dispatcher: finds due Items through the sharded next-check index (no Scan) and
 * hands them to the queue in batches. `dueOnly: false` takes every Item, as if all were due.
 *
 * @example
 * const { dispatched } = await dispatchDueChecks(deps)({ dueOnly: true });
 */
export function dispatchDueChecks(deps: DispatchDeps) {
  return async (input: { dueOnly: boolean }): Promise<{ dispatched: number }> => {
    const now = deps.clock.now();
    const dispatchedAt = now.toISOString();
    let dispatched = 0;
    for (let shard = 0; shard < deps.shards; shard++) {
      let startKey: string | undefined;
      do {
        const page = await deps.items.dueItems({
          shard,
          dueBy: input.dueOnly ? now : undefined,
          ...(startKey === undefined ? {} : { startKey }),
        });
        if (page.itemIds.length > 0) {
          await deps.queue.enqueue(page.itemIds.map((itemId) => ({ itemId, dispatchedAt })));
          dispatched += page.itemIds.length;
        }
        startKey = page.nextKey;
      } while (startKey !== undefined);
    }
    return { dispatched };
  };
}
