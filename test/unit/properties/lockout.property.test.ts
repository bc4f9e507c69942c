import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addSeconds } from '../../../functions/domain/clock';
import {
  continuesWindow,
  failureRecordExpiry,
  type LockoutPolicy,
  lockStatus,
} from '../../../functions/domain/lockout-policy';
import type { LoginFailureRecord } from '../../../functions/domain/model';

const t0 = new Date('2026-01-15T09:00:00.000Z');

const policyArb = fc.record({
  maxFailures: fc.integer({ min: 1, max: 6 }),
  windowSeconds: fc.integer({ min: 60, max: 3600 }),
  lockSeconds: fc.integer({ min: 60, max: 3600 }),
});

/**
 * The failure counter as `PasswordAccountStore.countFailure` documents it: a live window is
 * incremented up to `maxFailures` and never past it; a missing, expired or spent one starts over
 * at 1. The record lives until the later of its window's end and its lock's end.
 */
function countFailure(
  record: LoginFailureRecord | undefined,
  now: Date,
  policy: LockoutPolicy,
): { outcome: 'counted' | 'already_locked'; record: LoginFailureRecord } {
  if (continuesWindow(record, now, policy) && record !== undefined) {
    if (record.failures >= policy.maxFailures) return { outcome: 'already_locked', record };
    const windowEndsAt = new Date(record.windowEndsAt);
    return {
      outcome: 'counted',
      record: {
        failures: record.failures + 1,
        windowEndsAt: record.windowEndsAt,
        lastFailureAt: now.toISOString(),
        expiresAt: failureRecordExpiry(windowEndsAt, now, policy).toISOString(),
      },
    };
  }
  const windowEndsAt = addSeconds(now, policy.windowSeconds);
  return {
    outcome: 'counted',
    record: {
      failures: 1,
      windowEndsAt: windowEndsAt.toISOString(),
      lastFailureAt: now.toISOString(),
      expiresAt: failureRecordExpiry(windowEndsAt, now, policy).toISOString(),
    },
  };
}

/** Wrong guesses at arbitrary intervals, as an attacker (or a forgetful user) makes them. */
const gapsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5000 })), {
  maxLength: 60,
});

describe('Property: password lockout', () => {
  it('locks at the last allowed failure for exactly lockSeconds, and counts nothing while locked', () => {
    fc.assert(
      fc.property(policyArb, gapsArb, (policy, gaps) => {
        // Prepare
        let record: LoginFailureRecord | undefined;
        let now = t0;
        let evaluated = 0;
        let lockedUntil = 0;

        for (const gap of gaps) {
          // Act: one wrong password at `now`.
          now = addSeconds(now, gap);
          const status = lockStatus(record, now, policy);

          // Assess
          expect(status.locked).toBe(now.getTime() < lockedUntil);
          if (status.locked) {
            expect(status.retryAfterSeconds).toBe((lockedUntil - now.getTime()) / 1000);
            // The sign-in refuses before checking the password: nothing is counted.
            continue;
          }
          evaluated++;
          const counted = countFailure(record, now, policy);
          expect(counted.outcome).toBe('counted');
          record = counted.record;
          expect(record.failures).toBeLessThanOrEqual(policy.maxFailures);
          if (record.failures === policy.maxFailures) {
            lockedUntil = addSeconds(now, policy.lockSeconds).getTime();
            expect(lockStatus(record, now, policy)).toEqual({
              locked: true,
              retryAfterSeconds: policy.lockSeconds,
            });
          }
        }
        expect(evaluated).toBeLessThanOrEqual(gaps.length);
      }),
      { numRuns: 200 },
    );
  });

  it('gives an attacker who never pauses at most maxFailures guesses per lock period', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 20 }), (policy, everySeconds) => {
        // Prepare
        fc.pre(everySeconds * policy.maxFailures < policy.windowSeconds);
        let record: LoginFailureRecord | undefined;
        const evaluatedAt: number[] = [];

        // Act: a guess every few seconds for three lock periods.
        const end = 3 * (policy.lockSeconds + policy.windowSeconds);
        for (let s = 0; s < end; s += everySeconds) {
          const now = addSeconds(t0, s);
          if (lockStatus(record, now, policy).locked) continue;
          evaluatedAt.push(s);
          record = countFailure(record, now, policy).record;
        }

        // Assess: any span of lockSeconds holds at most maxFailures evaluated guesses.
        for (let i = 0; i + policy.maxFailures < evaluatedAt.length; i++) {
          const span = (evaluatedAt[i + policy.maxFailures] as number) - (evaluatedAt[i] as number);
          expect(span).toBeGreaterThanOrEqual(policy.lockSeconds);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('never depends on the TTL: a record at or past its expiry decides exactly like no record', () => {
    fc.assert(
      fc.property(policyArb, gapsArb, fc.integer({ min: 0, max: 10_000 }), (policy, gaps, later) => {
        // Prepare: the record as any sequence of failures leaves it.
        let record: LoginFailureRecord | undefined;
        let now = t0;
        for (const gap of gaps) {
          now = addSeconds(now, gap);
          if (!lockStatus(record, now, policy).locked) record = countFailure(record, now, policy).record;
        }
        fc.pre(record !== undefined);
        const stored = record as LoginFailureRecord;

        // Act: DynamoDB deletes it some time at or after `expiresAt`; until then it is still read.
        const readAt = addSeconds(new Date(stored.expiresAt), later);

        // Assess
        expect(lockStatus(stored, readAt, policy)).toEqual(lockStatus(undefined, readAt, policy));
        expect(continuesWindow(stored, readAt, policy)).toBe(continuesWindow(undefined, readAt, policy));
        // …and it never expires while its window or its lock still matters.
        expect(Date.parse(stored.expiresAt)).toBeGreaterThanOrEqual(Date.parse(stored.windowEndsAt));
        expect(Date.parse(stored.expiresAt)).toBeGreaterThanOrEqual(
          addSeconds(new Date(stored.lastFailureAt), policy.lockSeconds).getTime(),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('counts a lock down with the clock', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 0, max: 3600 }), (policy, elapsed) => {
        // Prepare: a username locked at t0.
        const record: LoginFailureRecord = {
          failures: policy.maxFailures,
          windowEndsAt: addSeconds(t0, policy.windowSeconds).toISOString(),
          lastFailureAt: t0.toISOString(),
          expiresAt: failureRecordExpiry(addSeconds(t0, policy.windowSeconds), t0, policy).toISOString(),
        };

        // Act
        const status = lockStatus(record, addSeconds(t0, elapsed), policy);

        // Assess
        expect(status).toEqual(
          elapsed < policy.lockSeconds
            ? { locked: true, retryAfterSeconds: policy.lockSeconds - elapsed }
            : { locked: false },
        );
      }),
      { numRuns: 300 },
    );
  });
});
