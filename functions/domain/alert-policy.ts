import { addSeconds } from './clock';

/** One alert when an episode opens, then reminders after these many days; nothing more. */
export const REMINDER_DAYS = [1, 3, 7] as const;

export type AlertStep = 'alert' | 'reminder-1' | 'reminder-3' | 'reminder-7';

/** Reminders before a known deadline (consent expiry, a pending disconnect), in days before it. */
export const COUNTDOWN_DAYS = [30, 14, 7, 1] as const;

export type CountdownStep = 'days-30' | 'days-14' | 'days-7' | 'days-1';

/**
 * One-off messages: `notice` (a revocation the user made on purpose: one neutral message, no
 * reminders), `stale` (no new data for days while Plaid reports no error), `back` (the
 * institution's outage is over).
 */
export type NoticeStep = 'notice' | 'stale' | 'back';

/** Everything the alert ledger records, each at most once per (series, step, channel). */
export type LedgerStep = AlertStep | CountdownStep | NoticeStep | 'restored';

const STEPS: { step: AlertStep; afterSeconds: number }[] = [
  { step: 'alert', afterSeconds: 0 },
  ...REMINDER_DAYS.map((days) => ({ step: `reminder-${days}` as AlertStep, afterSeconds: days * 86400 })),
];

/** An open needs-action episode of an Item. */
export interface Episode {
  id: string;
  startedAt: string;
  /** The third (or later) re-authentication in 30 days: the message says so and suggests a fix. */
  repeated?: boolean;
}

/**
 * The one step to send for an episode at `now`, if any: the latest step that is due and not yet
 * sent. Earlier unsent steps are superseded (a user three days into a break gets one reminder,
 * not the alert and a reminder at once).
 *
 * @example
 * dueStep({ id, startedAt: '2026-01-01T00:00:00Z', sent: ['alert'] }, new Date('2026-01-02T01:00:00Z')) // 'reminder-1'
 */
export function dueStep(
  episode: Episode & { sent: readonly LedgerStep[] },
  now: Date,
): AlertStep | undefined {
  const started = new Date(episode.startedAt);
  const due = STEPS.filter(({ afterSeconds }) => addSeconds(started, afterSeconds) <= now);
  return latestUnsent(
    due.map((d) => d.step),
    STEPS.map((s) => s.step),
    episode.sent,
  );
}

/**
 * The one countdown reminder to send before `deadline` at `now`, if any: the latest of 30, 14, 7
 * and 1 day(s) before it that is due and later than any sent. Nothing once the deadline passed.
 *
 * @example
 * dueCountdownStep(new Date('2026-03-01T00:00:00Z'), [], new Date('2026-02-20T00:00:00Z')) // 'days-14'
 */
export function dueCountdownStep(
  deadline: Date,
  sent: readonly LedgerStep[],
  now: Date,
): CountdownStep | undefined {
  if (now >= deadline) return undefined;
  const order = COUNTDOWN_DAYS.map((days) => `days-${days}` as CountdownStep);
  const due = COUNTDOWN_DAYS.filter((days) => addSeconds(deadline, -days * 86400) <= now).map(
    (days) => `days-${days}` as CountdownStep,
  );
  return latestUnsent(due, order, sent);
}

/** The latest due step, unless it or a later one was sent already. */
function latestUnsent<S extends string>(
  due: readonly S[],
  order: readonly S[],
  sent: readonly string[],
): S | undefined {
  const latest = due.at(-1);
  if (latest === undefined || sent.includes(latest)) return undefined;
  const latestSentIndex = Math.max(-1, ...sent.map((s) => order.indexOf(s as S)));
  return order.indexOf(latest) > latestSentIndex ? latest : undefined;
}

/** The text of an alert or reminder: which bank, what to do, nothing secret. */
export function alertMessage(step: AlertStep, institutionName: string, reason: string): string {
  const prefix = step === 'alert' ? 'LinkGuard' : 'LinkGuard reminder';
  return `${prefix}: ${institutionName} — ${reason} Open the app and tap Reconnect.`;
}

/** The text of a countdown reminder before a deadline. */
export function countdownMessage(
  kind: 'consent' | 'disconnect',
  step: CountdownStep,
  institutionName: string,
  deadline: Date,
): string {
  const days = Number(step.slice('days-'.length));
  const when = `${days === 1 ? 'tomorrow' : `in ${days} days`} (${deadline.toISOString().slice(0, 10)})`;
  const what =
    kind === 'consent'
      ? `your permission to share data from this bank ends ${when}.`
      : `this bank will stop sharing data ${when}.`;
  return `LinkGuard: ${institutionName} — ${what} Open the app and tap Reconnect to keep it working.`;
}

/** The text of a one-off notice. */
export function noticeMessage(step: NoticeStep, institutionName: string, detail?: string): string {
  switch (step) {
    case 'notice':
      return `LinkGuard: ${institutionName} — sharing was turned off at your bank, so we stopped checking this link. If you want to share again, open the app and link the bank again.`;
    case 'stale':
      return `LinkGuard: ${institutionName} — no new data from your bank since ${detail ?? 'a few days ago'}, though it reports no problem. Open the app to check this link; reconnecting often helps.`;
    case 'back':
      return `LinkGuard: ${institutionName} is working normally again. Nothing more to do.`;
  }
}
