import { OutboxAlertChannels, SnsAlertChannels } from '../adapters/alert-channels';
import { MeteredAlertChannels } from '../adapters/metered-alert-channels';
import { ConfigError } from '../domain/errors';
import type { AlertChannels } from '../domain/ports/alert-channels';
import { aws } from './aws';
import { memo } from './runtime';
import { smsSender } from './sms-sender';

/**
 * The alert channels (texts and the alert topic; the outbox locally), built once: bank-link
 * alerts and security notices go out the same way.
 */
export const alertChannels = (): AlertChannels =>
  memo('alertChannels', ({ config }) => {
    if (config.sms.transport === 'outbox')
      return new MeteredAlertChannels(new OutboxAlertChannels(smsSender()));
    if (config.alertTopicArn === undefined)
      throw new ConfigError('Invalid configuration: set ALERT_TOPIC_ARN');
    return new MeteredAlertChannels(new SnsAlertChannels(smsSender(), config.alertTopicArn, aws().sns));
  });
