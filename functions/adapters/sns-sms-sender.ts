import type { SNSClient } from '@aws-sdk/client-sns';
import { AppError } from '../domain/errors';
import type { SmsSender } from '../domain/ports/sms-sender';
import type { Lazy } from './lazy';

/**
 * Sends SMS straight to a phone number with SNS `Publish` (no topic), as a transactional message
 * (higher delivery priority, and not blocked by promotional opt-outs), with an optional sender
 * id where the destination country supports one. Any SNS failure becomes `SMS_UNAVAILABLE`
 * (503); the SNS error is kept as `cause` and never logged whole.
 *
 * @example
 * const sms = new SnsSmsSender(clients.sns, { senderId: 'LinkGuard' });
 */
export class SnsSmsSender implements SmsSender {
  constructor(
    private readonly sns: Lazy<SNSClient>,
    private readonly options: { senderId?: string } = {},
  ) {}

  async send(input: { phone: string; message: string }): Promise<void> {
    // Imported on first use, so that only the function that sends SMS loads the SNS module.
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    const client = await this.sns();
    try {
      await client.send(
        new PublishCommand({
          PhoneNumber: input.phone,
          Message: input.message,
          MessageAttributes: {
            'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
            ...(this.options.senderId === undefined
              ? {}
              : { 'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.options.senderId } }),
          },
        }),
      );
    } catch (error) {
      throw new AppError('SMS_UNAVAILABLE', 'We could not send the text message. Try again in a minute.', {
        cause: error,
        retryAfterSeconds: 30,
      });
    }
  }
}
