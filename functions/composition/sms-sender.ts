import { OutboxSmsSender } from '../adapters/outbox';
import { SnsSmsSender } from '../adapters/sns-sms-sender';
import type { SmsSender } from '../domain/ports/sms-sender';
import { aws } from './aws';
import { memo } from './runtime';

/** SNS in AWS; the printed, readable outbox in local mode. */
export const smsSender = (): SmsSender =>
  memo('sms', ({ config }) =>
    config.sms.transport === 'outbox'
      ? new OutboxSmsSender()
      : new SnsSmsSender(
          aws().sns,
          config.sms.senderId === undefined ? {} : { senderId: config.sms.senderId },
        ),
  );
