import type { PhoneSendHistory } from '../../../domain/sms-code-policy';
import { windowEnds } from '../../../domain/sms-code-policy';
import { conditions, type Expression } from '../expression';
import type { StoredItem } from '../table';
import { epochSeconds } from './stored';

/** A phone's recent sends, for the rolling limits (TTL item): `SMSRATE#phone#<e164>` / `SENDS`. */
export const phoneSends = {
  key: (phone: string) => ({ pk: `SMSRATE#phone#${phone}`, sk: 'SENDS' }),

  toItem: (phone: string, history: PhoneSendHistory, now: Date): StoredItem => ({
    ...phoneSends.key(phone),
    entity: 'phoneSends',
    sends: history.sends,
    version: history.version,
    expiresAt: epochSeconds(now) + 3600,
  }),

  fromItem: (item: StoredItem): PhoneSendHistory => ({
    sends: (item.sends as string[] | undefined) ?? [],
    version: Number(item.version ?? 0),
  }),

  /** The history is as it was read (or still absent): no parallel send got in between. */
  unchangedSince: (read: PhoneSendHistory | undefined): Expression =>
    read === undefined
      ? conditions.absent
      : { expression: 'version = :readVersion', values: { ':readVersion': read.version } },
} as const;

/** The fixed windows the send counters live in. */
export function sendWindows(ip: string, now: Date) {
  const hourEnd = windowEnds.hour(now);
  const dayEnd = windowEnds.day(now);
  const hourStart = new Date(hourEnd.getTime() - 3600_000).toISOString();
  const day = new Date(dayEnd.getTime() - 86400_000).toISOString().slice(0, 10);
  return {
    /** SMS sends from one client IP in one clock hour (TTL item). */
    ip: { key: { pk: `SMSRATE#ip#${ip}`, sk: `HOUR#${hourStart}` }, ends: hourEnd },
    /** All SMS sends in one UTC day, the spend brake (TTL item). */
    day: { key: { pk: 'SMSRATE#global', sk: `DAY#${day}` }, ends: dayEnd },
  };
}

/** Counts one send (or takes one back) in a window; the window's item lives until it ends. */
export function countSend(delta: 1 | -1, windowEnd: Date): Expression {
  return {
    expression: 'ADD sends :delta SET expiresAt = :windowEnd, entity = :counter',
    values: { ':delta': delta, ':windowEnd': epochSeconds(windowEnd), ':counter': 'smsCounter' },
  };
}

/** The window's counter is under `limit`. */
export function underLimit(limit: number): Expression {
  return { expression: 'attribute_not_exists(sends) OR sends < :limit', values: { ':limit': limit } };
}
