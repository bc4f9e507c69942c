import { windowEnds } from '../../../domain/sms-code-policy';
import type { Expression } from '../expression';
import { owner } from './owner';
import { epochSeconds } from './stored';

/**
 * The mails one account caused in one clock hour and one UTC day (TTL items, in the owner's
 * partition): `USER#<id>` / `MAILS#HOUR#<start>` and `MAILS#DAY#<date>`.
 */
export function mailWindows(userId: string, now: Date) {
  const hourEnd = windowEnds.hour(now);
  const dayEnd = windowEnds.day(now);
  const hourStart = new Date(hourEnd.getTime() - 3600_000).toISOString();
  const day = new Date(dayEnd.getTime() - 86400_000).toISOString().slice(0, 10);
  return {
    hour: { key: { pk: owner.partition(userId), sk: `MAILS#HOUR#${hourStart}` }, ends: hourEnd },
    day: { key: { pk: owner.partition(userId), sk: `MAILS#DAY#${day}` }, ends: dayEnd },
  };
}

/** The mail requests of one client IP in one clock hour (TTL item): `MAILRATE#ip#<ip>` / `HOUR#<start>`. */
export function clientMailWindow(ip: string, now: Date) {
  const ends = windowEnds.hour(now);
  const start = new Date(ends.getTime() - 3600_000).toISOString();
  return { key: { pk: `MAILRATE#ip#${ip}`, sk: `HOUR#${start}` }, ends };
}

/** Counts one mail in a window; the window's item lives until it ends. */
export function countMail(windowEnd: Date): Expression {
  return {
    expression: 'ADD mails :one SET expiresAt = :windowEnd, entity = :counter',
    values: { ':one': 1, ':windowEnd': epochSeconds(windowEnd), ':counter': 'mailCounter' },
  };
}

/** The window's counter is under `limit`. */
export function underMailLimit(limit: number): Expression {
  return { expression: 'attribute_not_exists(mails) OR mails < :limit', values: { ':limit': limit } };
}
