import * as z from 'zod/mini';
import type { ResetLinkPolicy } from '../domain/reset-password-by-email';
import { ConfigError, type Env, int, parseSection, text } from './read-env';

const schema = z.object({
  SMS_TRANSPORT: z._default(z.enum(['sns', 'outbox']), 'sns'),
  ALERT_TOPIC_ARN: z.optional(text()),
  /** The app's link a reset mail points to (`?token=…` is added): a universal link, or the app's scheme. */
  PASSWORD_RESET_URL: z._default(
    z.string().check(z.regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/, 'must be an absolute URL')),
    'linkguard://password-reset',
  ),
  PASSWORD_RESET_PER_IP_HOURLY: z._default(int(1, 10000), 10),
});

/**
 * The alert topic, when there is one (the outbox stands in for it under `SMS_TRANSPORT=outbox`),
 * and the reset links mailed through it (valid 15 minutes).
 */
export function readAlertTopic(env: Env): {
  alertTopicArn: string | undefined;
  passwordReset: ResetLinkPolicy;
} {
  const e = parseSection(env, schema);
  return {
    alertTopicArn: e.ALERT_TOPIC_ARN,
    passwordReset: {
      linkSeconds: 900,
      requestsPerIpPerHour: e.PASSWORD_RESET_PER_IP_HOURLY,
      linkUrl: e.PASSWORD_RESET_URL,
    },
  };
}

/** The `alerts` and `emailSubscriptions` capabilities: with SNS, the alert topic must be set. */
export function requireAlertTopic(env: Env): void {
  const e = parseSection(env, schema);
  if (e.SMS_TRANSPORT === 'sns' && e.ALERT_TOPIC_ARN === undefined) {
    throw new ConfigError('Invalid configuration: ALERT_TOPIC_ARN is not set');
  }
}
