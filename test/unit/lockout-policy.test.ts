import { describe, expect, it } from 'vitest';
import {
  continuesWindow,
  failureRecordExpiry,
  type LockoutPolicy,
  lockStatus,
} from '../../functions/domain/lockout-policy';
import type { LoginFailureRecord } from '../../functions/domain/model';

const policy: LockoutPolicy = { maxFailures: 5, windowSeconds: 900, lockSeconds: 900 };
const t0 = new Date('2026-01-15T09:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const record = (over: Partial<LoginFailureRecord> = {}): LoginFailureRecord => ({
  failures: 5,
  windowEndsAt: at(900).toISOString(),
  lastFailureAt: at(60).toISOString(),
  expiresAt: at(960).toISOString(),
  ...over,
});

describe('Function: lockStatus', () => {
  it('is unlocked with no record', () => {
    expect(lockStatus(undefined, t0, policy)).toEqual({ locked: false });
  });

  it('is unlocked below the threshold', () => {
    expect(lockStatus(record({ failures: 4 }), at(61), policy)).toEqual({ locked: false });
  });

  it('locks at the threshold for lockSeconds after the last failure, with a Retry-After', () => {
    expect(lockStatus(record(), at(61), policy)).toEqual({ locked: true, retryAfterSeconds: 899 });
    expect(lockStatus(record(), at(959), policy)).toEqual({ locked: true, retryAfterSeconds: 1 });
  });

  it('unlocks by the clock, without the record being deleted', () => {
    expect(lockStatus(record(), at(960), policy)).toEqual({ locked: false });
  });

  it('treats an expired record as absent even if its numbers say locked (TTL is late)', () => {
    const stale = record({ lastFailureAt: at(60).toISOString(), expiresAt: at(30).toISOString() });
    expect(lockStatus(stale, at(61), policy)).toEqual({ locked: false });
  });

  it('honours a configured policy', () => {
    const strict: LockoutPolicy = { maxFailures: 3, windowSeconds: 60, lockSeconds: 3600 };
    expect(lockStatus(record({ failures: 3, expiresAt: at(4000).toISOString() }), at(1000), strict)).toEqual({
      locked: true,
      retryAfterSeconds: 2660,
    });
  });
});

describe('Function: continuesWindow', () => {
  it('starts over with no record, an expired record or an ended window', () => {
    expect(continuesWindow(undefined, t0, policy)).toBe(false);
    expect(continuesWindow(record({ failures: 2, expiresAt: at(10).toISOString() }), at(11), policy)).toBe(
      false,
    );
    expect(continuesWindow(record({ failures: 2, windowEndsAt: at(10).toISOString() }), at(11), policy)).toBe(
      false,
    );
  });

  it('continues a live window below the threshold', () => {
    expect(continuesWindow(record({ failures: 2 }), at(100), policy)).toBe(true);
  });

  it('starts over once a lock has run out even if the window is still live', () => {
    const long: LockoutPolicy = { maxFailures: 5, windowSeconds: 7200, lockSeconds: 60 };
    const r = record({ windowEndsAt: at(7200).toISOString(), expiresAt: at(7200).toISOString() });
    expect(continuesWindow(r, at(200), long)).toBe(false);
  });
});

describe('Function: failureRecordExpiry', () => {
  it('keeps the record until the later of window end and lock end', () => {
    expect(failureRecordExpiry(at(900), at(600), policy)).toEqual(at(1500));
    expect(failureRecordExpiry(at(900), t0, { ...policy, lockSeconds: 60 })).toEqual(at(900));
  });
});
