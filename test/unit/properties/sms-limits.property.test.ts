import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeTokenCrypto } from '../../../functions/adapters/node-token-crypto';
import { addSeconds } from '../../../functions/domain/clock';
import {
  checkCode,
  judgePhoneSend,
  type PhoneSendHistory,
  type SmsCodeRecord,
  type SmsPolicy,
} from '../../../functions/domain/sms-code-policy';

const t0 = new Date('2026-04-01T08:00:00.000Z');

const policyArb = fc.record({
  codeTtlSeconds: fc.integer({ min: 60, max: 900 }),
  maxAttempts: fc.integer({ min: 1, max: 6 }),
  resendAfterSeconds: fc.integer({ min: 1, max: 300 }),
  perPhonePerHour: fc.integer({ min: 1, max: 8 }),
  perIpPerHour: fc.constant(20),
  dailyCap: fc.constant(10_000),
  allowedCountries: fc.constant(['CN']),
});

/** Requests for a code at arbitrary intervals, the way an impatient user or a bot sends them. */
const gapsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 4000 })), {
  maxLength: 60,
});

/** What the use case stores after an allowed send: the recent sends and the new one. */
function afterSend(history: PhoneSendHistory | undefined, recent: string[], now: Date): PhoneSendHistory {
  return { sends: [...recent, now.toISOString()], version: (history?.version ?? 0) + 1 };
}

describe('Property: SMS send limits per phone', () => {
  it('never sends twice within resendAfterSeconds, nor more than perPhonePerHour in any rolling hour', () => {
    fc.assert(
      fc.property(policyArb, gapsArb, (policy: SmsPolicy, gaps) => {
        // Prepare
        let history: PhoneSendHistory | undefined;
        let now = t0;
        const sent: number[] = [];

        for (const gap of gaps) {
          // Act
          now = addSeconds(now, gap);
          const verdict = judgePhoneSend(history, now, policy);

          // Assess
          if (!verdict.allowed) {
            expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
            expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(3600);
            continue;
          }
          const last = sent.at(-1);
          if (last !== undefined) {
            expect(now.getTime() - last).toBeGreaterThanOrEqual(policy.resendAfterSeconds * 1000);
          }
          sent.push(now.getTime());
          const lastHour = sent.filter((at) => at > now.getTime() - 3600_000);
          expect(lastHour.length).toBeLessThanOrEqual(policy.perPhonePerHour);
          // The stored history stays small: only the last hour is kept.
          expect(verdict.recent.length).toBeLessThan(policy.perPhonePerHour);
          history = afterSend(history, verdict.recent, now);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('says exactly when to come back: refused one second early, allowed at Retry-After', () => {
    fc.assert(
      fc.property(policyArb, gapsArb, (policy: SmsPolicy, gaps) => {
        // Prepare
        let history: PhoneSendHistory | undefined;
        let now = t0;
        for (const gap of gaps) {
          now = addSeconds(now, gap);
          const verdict = judgePhoneSend(history, now, policy);
          if (verdict.allowed) {
            history = afterSend(history, verdict.recent, now);
            continue;
          }

          // Act
          const early = judgePhoneSend(history, addSeconds(now, verdict.retryAfterSeconds - 1), policy);
          const onTime = judgePhoneSend(history, addSeconds(now, verdict.retryAfterSeconds), policy);

          // Assess
          if (verdict.retryAfterSeconds > 1) expect(early.allowed).toBe(false);
          expect(onTime.allowed).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('Property: SMS code checks', () => {
  it('accepts the right code only before expiry and before maxAttempts wrong tries', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 300 }), right: fc.boolean() }), {
          maxLength: 12,
        }),
        (policy: SmsPolicy, tries) => {
          // Prepare
          let record: SmsCodeRecord | undefined = {
            codeId: 'otp_1',
            codeHash: 'right',
            attempts: 0,
            createdAt: t0.toISOString(),
            expiresAt: addSeconds(t0, policy.codeTtlSeconds).toISOString(),
          };
          let now = t0;
          let wrong = 0;

          for (const attempt of tries) {
            // Act
            now = addSeconds(now, attempt.gap);
            const verdict = checkCode(
              record,
              attempt.right ? 'right' : 'wrong',
              now,
              policy,
              nodeTokenCrypto.sameHash,
            );

            // Assess
            const expired = now.getTime() >= t0.getTime() + policy.codeTtlSeconds * 1000;
            const expected =
              record === undefined || expired
                ? 'absent'
                : wrong >= policy.maxAttempts
                  ? 'exhausted'
                  : attempt.right
                    ? 'right'
                    : 'wrong';
            expect(verdict).toBe(expected);
            if (verdict === 'wrong' && record !== undefined) {
              wrong++;
              record = { ...record, attempts: record.attempts + 1 };
            }
            // A right code is consumed: it never works twice.
            if (verdict === 'right') record = undefined;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
