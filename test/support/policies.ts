import type { LockoutPolicy } from '../../functions/domain/lockout-policy';
import type { SessionPolicy } from '../../functions/domain/session-policy';
import type { SmsPolicy } from '../../functions/domain/sms-code-policy';

/** The production defaults of the rules with numbers, for use-case tests that do not vary them. */
export const sessionPolicy: SessionPolicy = {
  idleSeconds: 30 * 86400,
  absoluteSeconds: 90 * 86400,
  reuseGraceSeconds: 10,
};

export const lockoutPolicy: LockoutPolicy = { maxFailures: 5, windowSeconds: 900, lockSeconds: 900 };

export const smsPolicy: SmsPolicy = {
  codeTtlSeconds: 600,
  maxAttempts: 5,
  resendAfterSeconds: 60,
  perPhonePerHour: 5,
  perIpPerHour: 20,
  dailyCap: 10_000,
  allowedCountries: ['CN', 'US'],
};
