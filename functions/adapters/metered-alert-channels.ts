import type { AlertChannels } from '../domain/ports/alert-channels';
import { countMetric } from './operational-metrics';

/**
 * Alert channels that count every alert they deliver (`AlertSent` by `Channel`). A send that
 * throws is not counted: the alert ledger retries it, and it is counted when it goes out.
 */
export class MeteredAlertChannels implements AlertChannels {
  constructor(private readonly channels: AlertChannels) {}

  async sendSms(input: Parameters<AlertChannels['sendSms']>[0]): Promise<void> {
    await this.channels.sendSms(input);
    countMetric('alertSent', { Channel: 'sms' });
  }

  async publishEvent(input: Parameters<AlertChannels['publishEvent']>[0]): Promise<void> {
    await this.channels.publishEvent(input);
    countMetric('alertSent', { Channel: 'topic' });
  }
}
