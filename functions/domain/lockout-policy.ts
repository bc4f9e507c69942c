import { addSeconds } from './clock';
import { AccountLockedError } from './errors';
import type { LoginFailureRecord } from './model';

/** How many wrong passwords lock a username, within what window, and for how long. */
export interface LockoutPolicy {
  maxFailures: number;
  windowSeconds: number;
  lockSeconds: number;
}

export type LockStatus = { locked: false } | { locked: true; retryAfterSeconds: number };

/**
 * Whether password sign-in for a username is locked at `now`, given its failure record.
 * An expired record counts as absent: DynamoDB deletes TTL items late (and DynamoDB Local never).
 *
 * @example
 * lockStatus(record, clock.now(), policy) // { locked: true, retryAfterSeconds: 840 }
 */
export function lockStatus(
  record: LoginFailureRecord | undefined,
  now: Date,
  policy: LockoutPolicy,
): LockStatus {
  if (record === undefined || Date.parse(record.expiresAt) <= now.getTime()) return { locked: false };
  if (record.failures < policy.maxFailures) return { locked: false };
  const lockedUntil = addSeconds(new Date(record.lastFailureAt), policy.lockSeconds).getTime();
  if (lockedUntil <= now.getTime()) return { locked: false };
  return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - now.getTime()) / 1000)) };
}

/**
 * Whether a failure at `now` continues the record's window (true) or starts a new one (false):
 * a missing or expired window starts over, and so does a lock that has run out.
 */
export function continuesWindow(
  record: LoginFailureRecord | undefined,
  now: Date,
  policy: LockoutPolicy,
): boolean {
  if (record === undefined || Date.parse(record.expiresAt) <= now.getTime()) return false;
  if (Date.parse(record.windowEndsAt) <= now.getTime()) return false;
  if (record.failures >= policy.maxFailures && !lockStatus(record, now, policy).locked) return false;
  return true;
}

/** The TTL of a failure record written at `now`: the later of the window's end and a lock's end. */
export function failureRecordExpiry(windowEndsAt: Date, now: Date, policy: LockoutPolicy): Date {
  const lockEnds = addSeconds(now, policy.lockSeconds);
  return lockEnds > windowEndsAt ? lockEnds : windowEndsAt;
}

/**
 * ACCOUNT_LOCKED for an attempt refused by the counter, retrying when the lock that `record`
 * shows ends (or after a whole lock, if a racing attempt set it at most now).
 */
export function lockedError(
  record: LoginFailureRecord,
  now: Date,
  policy: LockoutPolicy,
): AccountLockedError {
  const status = lockStatus(record, now, policy);
  return new AccountLockedError(status.locked ? status.retryAfterSeconds : policy.lockSeconds);
}
