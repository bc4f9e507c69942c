import { addSeconds } from './clock';

/** One alert when an episode opens, then reminders after these many days; nothing more. */
export const REMINDER_DAYS = [1, 3, 7] as const;

export type AlertStep = 'alert' | 'reminder-1' | 'reminder-3' | 'reminder-7';

const STEPS: { step: AlertStep; afterSeconds: number }[] = [
  { step: 'alert', afterSeconds: 0 },
  ...REMINDER_DAYS.map((days) => ({ step: `reminder-${days}` as AlertStep, afterSeconds: days * 86400 })),
];

/** An open needs-action episode of an Item. */
export interface Episode {
  id: string;
  startedAt: string;
}

/**
 * The one step to send for an episode at `now`, if any: the latest step that is due and not yet
 * sent. Earlier unsent steps are superseded (a user three days into a break gets one reminder,
 * not the alert and a reminder at once).
 *
 * @example
 * dueStep({ id, startedAt: '2026-01-01T00:00:00Z', sent: ['alert'] }, new Date('2026-01-02T01:00:00Z')) // 'reminder-1'
 */
export function dueStep(episode: Episode & { sent: readonly AlertStep[] }, now: Date): AlertStep | undefined {
  const started = new Date(episode.startedAt);
  const due = STEPS.filter(({ afterSeconds }) => addSeconds(started, afterSeconds) <= now);
  const latest = due.at(-1);
  if (latest === undefined || episode.sent.includes(latest.step)) return undefined;
  // Once a later step went out, an earlier one never does.
  const latestSentIndex = Math.max(-1, ...episode.sent.map((s) => STEPS.findIndex((x) => x.step === s)));
  return STEPS.findIndex((x) => x.step === latest.step) > latestSentIndex ? latest.step : undefined;
}

/** The text of an alert or reminder: which bank, what to do, nothing secret. */
export function alertMessage(step: AlertStep, institutionName: string, reason: string): string {
  const prefix = step === 'alert' ? 'LinkGuard' : 'LinkGuard reminder';
  return `${prefix}: ${institutionName} — ${reason} Open the app and tap Reconnect.`;
}
