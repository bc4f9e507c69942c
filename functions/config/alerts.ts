import * as z from 'zod/mini';
import { ConfigError, type Env, parseSection, text } from './read-env';

const schema = z.object({
  SMS_TRANSPORT: z._default(z.enum(['sns', 'outbox']), 'sns'),
  ALERT_TOPIC_ARN: z.optional(text()),
});

/** The alert topic, when there is one (the outbox stands in for it under `SMS_TRANSPORT=outbox`). */
export function readAlertTopic(env: Env): { alertTopicArn: string | undefined } {
  return { alertTopicArn: parseSection(env, schema).ALERT_TOPIC_ARN };
}

/** The `alerts` and `emailSubscriptions` capabilities: with SNS, the alert topic must be set. */
export function requireAlertTopic(env: Env): void {
  const e = parseSection(env, schema);
  if (e.SMS_TRANSPORT === 'sns' && e.ALERT_TOPIC_ARN === undefined) {
    throw new ConfigError('Invalid configuration: ALERT_TOPIC_ARN is not set');
  }
}
