import { addSeconds } from './clock';

/** Limits on sending and checking SMS codes. SMS costs money and attracts fraud. */
export interface SmsPolicy {
  codeTtlSeconds: number;
  maxAttempts: number;
  /** At most one send per phone per this many seconds. */
  resendAfterSeconds: number;
  /** At most this many sends per phone per rolling hour. */
  perPhonePerHour: number;
  /** At most this many sends per client IP per clock hour. */
  perIpPerHour: number;
  /** A spend brake: at most this many sends per UTC day, for everyone. */
  dailyCap: number;
  allowedCountries: readonly string[];
  /**
   * App-review and end-to-end test numbers (E.164) with their fixed codes. A send to one of them
   * stores the fixed code and texts nothing. Refused by `cdk synth` in a production stage unless
   * a reason is given (docs/deploying.md).
   */
  testNumbers?: ReadonlyMap<string, string>;
}

/** A stored code: only its keyed hash. */
export interface SmsCodeRecord {
  codeId: string;
  codeHash: string;
  attempts: number;
  createdAt: string;
  expiresAt: string;
}

/** The recent sends to one phone, kept to apply the rolling limits. */
export interface PhoneSendHistory {
  sends: string[];
  version: number;
}

export type SendVerdict = { allowed: true; recent: string[] } | { allowed: false; retryAfterSeconds: number };

/**
 * Whether a phone may get another code at `now`: not within `resendAfterSeconds` of the last
 * send, and fewer than `perPhonePerHour` sends in the last rolling hour. When refused, the wait
 * is until both limits let go, so a client that honours Retry-After is not refused again.
 *
 * @example
 * judgePhoneSend(history, clock.now(), policy) // { allowed: false, retryAfterSeconds: 42 }
 */
export function judgePhoneSend(
  history: PhoneSendHistory | undefined,
  now: Date,
  policy: SmsPolicy,
): SendVerdict {
  const hourAgo = now.getTime() - 3600_000;
  const recent = (history?.sends ?? []).filter((at) => Date.parse(at) > hourAgo).sort();
  // Both limits may hold at once: the wait is until the later of the two lets go.
  let allowedFrom = now.getTime();
  const last = recent.at(-1);
  if (last !== undefined)
    allowedFrom = Math.max(allowedFrom, Date.parse(last) + policy.resendAfterSeconds * 1000);
  if (recent.length >= policy.perPhonePerHour) {
    const oldest = recent[recent.length - policy.perPhonePerHour] as string;
    allowedFrom = Math.max(allowedFrom, Date.parse(oldest) + 3600_000);
  }
  if (allowedFrom > now.getTime())
    return { allowed: false, retryAfterSeconds: secondsUntil(allowedFrom, now) };
  return { allowed: true, recent };
}

/** What a code check decides before anything is written. */
export type CodeCheck = 'absent' | 'exhausted' | 'wrong' | 'right';

/**
 * Judges a presented code against the stored one. An expired record is absent (DynamoDB's TTL is
 * late); a record with `maxAttempts` wrong tries is exhausted, whatever is presented.
 */
export function checkCode(
  record: SmsCodeRecord | undefined,
  presentedHash: string,
  now: Date,
  policy: SmsPolicy,
  sameHash: (a: string, b: string) => boolean,
): CodeCheck {
  if (record === undefined || Date.parse(record.expiresAt) <= now.getTime()) return 'absent';
  if (record.attempts >= policy.maxAttempts) return 'exhausted';
  return sameHash(record.codeHash, presentedHash) ? 'right' : 'wrong';
}

/** The end of the clock hour / UTC day that holds `now`, for the fixed-window counters. */
export const windowEnds = {
  hour: (now: Date) => new Date(Math.floor(now.getTime() / 3600_000) * 3600_000 + 3600_000),
  day: (now: Date) => new Date(Math.floor(now.getTime() / 86400_000) * 86400_000 + 86400_000),
};

/** When a code sent at `now` stops working. */
export const codeExpiry = (now: Date, policy: SmsPolicy) => addSeconds(now, policy.codeTtlSeconds);

function secondsUntil(epochMs: number, now: Date): number {
  return Math.max(1, Math.ceil((epochMs - now.getTime()) / 1000));
}
