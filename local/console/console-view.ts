import type { OutboxMessage } from '../../functions/adapters/outbox';
import { REMINDER_DAYS } from '../../functions/domain/alert-policy';
import { type ItemStatus, NEEDS_ACTION, reasonFor } from '../../functions/domain/item-status';
import type { EmulatedItem, SentWebhook } from '../emulators/plaid';
import type { StoredRecord } from './table-snapshot';

/** A row of an Item's timeline. */
export interface TimelineEntry {
  at: string;
  kind: 'link' | 'check' | 'error' | 'break' | 'repair' | 'alert' | 'webhook' | 'ignored' | 'removed';
  text: string;
  /** Who noticed: `poll`, `webhook`, `repair`, `link`… */
  source?: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const newestFirst = <T extends { at?: unknown }>(list: T[]) =>
  list.sort((a, b) => String(b.at ?? '').localeCompare(String(a.at ?? '')));

function timelineEntry(event: StoredRecord): TimelineEntry {
  const at = String(event.at);
  const source = str(event.source);
  const base = source === undefined ? { at } : { at, source };
  const to = str(event.to) as ItemStatus | undefined;
  switch (event.type) {
    case 'linked':
      return { ...base, kind: 'link', text: `linked (${to ?? 'healthy'})` };
    case 'status_changed': {
      const text = `${str(event.from) ?? '?'} → ${to ?? '?'}${event.errorCode ? ` (${event.errorCode})` : ''}`;
      if (to === 'healthy') return { ...base, kind: 'repair', text };
      return { ...base, kind: to !== undefined && NEEDS_ACTION.has(to) ? 'break' : 'error', text };
    }
    case 'restored':
      return { ...base, kind: 'repair', text: `restored${to ? ` (${to})` : ''}` };
    case 'alert_sent':
      return {
        ...base,
        kind: 'alert',
        text: `${str(event.step) ?? 'alert'} sent by ${str(event.detail) ?? '?'}`,
      };
    case 'webhook_received':
      return { ...base, kind: 'webhook', text: `webhook ${str(event.detail) ?? ''}`.trim() };
    case 'observation_ignored':
      return { ...base, kind: 'ignored', text: `ignored: ${str(event.detail) ?? 'older than what we know'}` };
    case 'removed':
      return { ...base, kind: 'removed', text: 'removed' };
    default:
      return { ...base, kind: 'check', text: String(event.type) };
  }
}

/**
 * Why an alert went out or did not, in sentences, from what is stored: the Item's status and
 * open episode, the episode's alert claims, and the user's phone, email and preferences. The
 * same rules as the alert policy (functions/domain/alert-policy.ts, item-checks.ts).
 */
function alertExplanation(
  item: StoredRecord,
  user: StoredRecord | undefined,
  claims: StoredRecord[],
  now: Date,
): string[] {
  const status = item.status as ItemStatus;
  if (status === 'healthy') return ['Healthy: nothing to tell the user.'];
  if (!NEEDS_ACTION.has(status))
    return [
      status === 'error'
        ? 'No alert: the bank is having trouble (a transient error). The poller retries with backoff; users are alerted only when they must act.'
        : `No alert: "${status}" is not a status the user can fix.`,
    ];
  const episode = item.episode as { id?: string; startedAt?: string } | undefined;
  if (episode?.id === undefined) return ['Needs action, but no episode is open yet.'];
  const mine = claims.filter((c) => String(c.sk).startsWith(`ALERT#${episode.id}#`));
  const sent = mine.filter((c) => c.state === 'sent');
  const lines: string[] = [];
  if (sent.length === 0)
    lines.push('Not sent yet: the alert goes out when a check or a webhook sees the break (run the poller).');
  for (const c of sent) lines.push(`Sent: ${String(c.step)} by ${String(c.channel)} at ${String(c.sentAt)}.`);
  for (const c of mine.filter((x) => x.state !== 'sent'))
    lines.push(
      `Claimed but not sent: ${String(c.step)} by ${String(c.channel)} (a send failed or is under way).`,
    );
  const notifications = (user?.notifications ?? {}) as { sms?: boolean; email?: boolean };
  if (user?.phone === undefined) lines.push('No SMS: the user has no verified phone number.');
  else if (notifications.sms === false) lines.push('No SMS: the user turned SMS alerts off.');
  if (user?.email === undefined) lines.push('No email: the user has no email address (PATCH /v1/me).');
  else if (user.emailConfirmed !== true)
    lines.push(`No email yet: ${String(user.email)} has not confirmed the alert topic's subscription.`);
  else if (notifications.email === false) lines.push('No email: the user turned email alerts off.');
  else lines.push(`Email: the topic's subscription delivers it to ${String(user.email)}.`);
  const sentSteps = new Set(sent.map((c) => String(c.step)));
  const started = new Date(episode.startedAt ?? now.toISOString()).getTime();
  const next = REMINDER_DAYS.find(
    (d) => !sentSteps.has(`reminder-${d}`) && started + d * 86_400_000 > now.getTime(),
  );
  lines.push(
    next === undefined
      ? 'No more reminders in this episode (after 1, 3 and 7 days, nothing more).'
      : `Next: reminder after ${next} day${next === 1 ? '' : 's'}, due ${new Date(started + next * 86_400_000).toISOString()} (move the clock to see it).`,
  );
  return lines;
}

/** What the console shows, built from the table, the outbox and the Plaid emulator. */
export function consoleView(input: {
  records: StoredRecord[];
  outbox: readonly OutboxMessage[];
  plaidItems: readonly EmulatedItem[];
  webhooks: readonly SentWebhook[];
  now: Date;
}) {
  const { records, now } = input;
  const by = (entity: string) => records.filter((r) => r.entity === entity);
  const profiles = by('user');
  const userOf = new Map(profiles.map((u) => [String(u.id), u]));
  const items = by('plaidItem');
  const users = profiles
    .map((u) => {
      const id = String(u.id);
      return {
        id,
        displayName: u.displayName,
        phone: u.phone,
        email: u.email,
        emailConfirmed: u.emailConfirmed,
        notifications: u.notifications,
        createdAt: u.createdAt,
        identities: by('identity')
          .filter((i) => i.userId === id)
          .map((i) => ({ type: i.type, label: i.label, linkedAt: i.linkedAt })),
        sessions: newestFirst(
          by('session')
            .filter((s) => s.userId === id)
            .map((s) => ({
              id: s.id,
              at: s.createdAt,
              lastUsedAt: s.lastUsedAt,
              ip: s.ip,
              userAgent: s.userAgent,
              revokedAt: s.revokedAt,
              live:
                s.revokedAt === undefined &&
                String(s.idleExpiresAt) > now.toISOString() &&
                String(s.absoluteExpiresAt) > now.toISOString(),
            })),
        ),
        events: newestFirst(
          by('event')
            .filter((e) => e.userId === id)
            .map((e) => ({ at: e.at, type: e.type, detail: e.detail, ip: e.ip, sessionId: e.sessionId })),
        ),
        items: items.filter((i) => i.userId === id).map((i) => i.itemId),
      };
    })
    .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  const emulated = new Map(input.plaidItems.map((i) => [i.itemId, i]));
  const bankLinks = items
    .map((item) => {
      const id = String(item.itemId);
      const events = records.filter((r) => r.entity === 'plaidItemEvent' && r.pk === `ITEM#${id}`);
      const claims = records.filter((r) => r.entity === 'alertClaim' && r.pk === `ITEM#${id}`);
      const timeline = newestFirst(events.map(timelineEntry));
      if (typeof item.lastCheckedAt === 'string' && !timeline.some((t) => t.at === item.lastCheckedAt))
        timeline.unshift({
          at: item.lastCheckedAt,
          kind: 'check',
          text: `checked: ${String(item.status)}`,
          source: 'poll',
        });
      const user = userOf.get(String(item.userId));
      const plaid = emulated.get(id);
      return {
        itemId: id,
        userId: item.userId,
        userName: user?.displayName,
        institutionId: item.institutionId,
        institutionName: item.institutionName,
        status: item.status,
        errorCode: item.errorCode,
        reason: reasonFor(item.status as ItemStatus, str(item.errorCode)),
        createdAt: item.createdAt,
        lastCheckedAt: item.lastCheckedAt,
        nextCheckAt: item.nextCheckAt,
        episode: item.episode,
        atPlaid:
          plaid === undefined
            ? null
            : {
                errorCode: plaid.errorCode,
                removed: plaid.removed,
                consentExpirationTime: plaid.consentExpirationTime,
              },
        timeline: newestFirst(timeline),
        alerts: alertExplanation(item, user, claims, now),
      };
    })
    .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  return {
    now: now.toISOString(),
    users,
    items: bankLinks,
    outbox: [...input.outbox].reverse(),
    webhooks: [...input.webhooks].reverse().slice(0, 50),
  };
}
