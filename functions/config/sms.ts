import * as z from 'zod/mini';
import type { DormancyPolicy } from '../domain/recycled-numbers';
import type { SmsPolicy } from '../domain/sms-code-policy';
import { type Env, int, oneOf, parseSection, text } from './read-env';

/** How texts leave: SNS in AWS, the printed outbox in local mode. */
export type SmsTransport = 'sns' | 'outbox';

/** The `sms`, `smsPepper` and `alerts` capabilities: how texts are sent and the SMS-code rules. */
export function readSms(env: Env): {
  transport: SmsTransport;
  senderId: string | undefined;
  policy: SmsPolicy;
  dormancy: DormancyPolicy;
} {
  const e = parseSection(
    env,
    z.object({
      SMS_TRANSPORT: z._default(z.enum(['sns', 'outbox']), 'sns'),
      SMS_SENDER_ID: z.optional(
        z.string().check(z.regex(/^[A-Za-z0-9]{1,11}$/, 'must be 1-11 letters or digits')),
      ),
      SMS_ALLOWED_COUNTRIES: z._default(
        z.string().check(z.regex(/^[A-Z]{2}(,[A-Z]{2})*$/, 'must be ISO codes like CN,US')),
        'CN,US',
      ),
      SMS_PER_IP_HOURLY: z._default(int(1, 10000), 20),
      SMS_DAILY_CAP: z._default(int(1, 10_000_000), 10000),
      DORMANT_ACCOUNT_DAYS: z._default(int(1, 3650), 180),
      SMS_TEST_NUMBERS: z._default(
        z
          .string()
          .check(
            z.regex(
              /^(\+\d{6,15}:\d{6}(,\+\d{6,15}:\d{6})*)?$/,
              'must be E.164 numbers with their six-digit codes: +8613800000001:123456,+15555550100:654321',
            ),
          ),
        '',
      ),
    }),
  );
  return {
    transport: e.SMS_TRANSPORT,
    senderId: e.SMS_SENDER_ID,
    policy: {
      codeTtlSeconds: 600,
      maxAttempts: 5,
      resendAfterSeconds: 60,
      perPhonePerHour: 5,
      perIpPerHour: e.SMS_PER_IP_HOURLY,
      dailyCap: e.SMS_DAILY_CAP,
      allowedCountries: e.SMS_ALLOWED_COUNTRIES.split(','),
      testNumbers: parseTestNumbers(e.SMS_TEST_NUMBERS),
    },
    // An SMS sign-in to an account unused this long needs one more proof (recycled numbers).
    dormancy: { dormantAfterSeconds: e.DORMANT_ACCOUNT_DAYS * 86_400, challengeSeconds: 600 },
  };
}

/** `+8613800000001:123456,…` as a map of number to fixed code. */
export function parseTestNumbers(value: string): ReadonlyMap<string, string> {
  return new Map(
    value
      .split(',')
      .filter((pair) => pair !== '')
      .map((pair) => pair.split(':') as [string, string]),
  );
}

/** Where the SMS-code pepper lives: Secrets Manager in AWS, a local file in local mode. */
export type SmsPepperSetting =
  | { source: 'secrets-manager'; secretId: string }
  | { source: 'file'; path: string };

/** The `smsPepper` capability: the pepper that keys SMS-code hashes. */
export function readSmsPepper(env: Env): SmsPepperSetting {
  const e = parseSection(
    env,
    z.object({ SMS_PEPPER_SECRET_ID: z.optional(text()), SMS_PEPPER_FILE: z.optional(text()) }),
  );
  oneOf(env, 'SMS_PEPPER_SECRET_ID', 'SMS_PEPPER_FILE');
  return e.SMS_PEPPER_SECRET_ID !== undefined
    ? { source: 'secrets-manager', secretId: e.SMS_PEPPER_SECRET_ID }
    : { source: 'file', path: e.SMS_PEPPER_FILE as string };
}
