import type { SNSClient } from '@aws-sdk/client-sns';
import type { AlertChannels } from '../domain/bank-ports';
import type { SmsSender } from '../domain/ports';
import { localOutbox, type Outbox } from './outbox';

type EventInput = Parameters<AlertChannels['publishEvent']>[0];

/**
 * Alerts through SNS: SMS straight to the phone (the SMS sender), and every alert as an event on
 * the alert topic with `eventType` and `userId` message attributes, which email subscriptions
 * (filter policy on `userId`) and other consumers select on.
 */
export class SnsAlertChannels implements AlertChannels {
  private client: SNSClient | undefined;

  constructor(
    private readonly sms: SmsSender,
    private readonly topicArn: string,
    private readonly region?: string,
  ) {}

  sendSms(input: { phone: string; message: string }): Promise<void> {
    return this.sms.send(input);
  }

  async publishEvent(input: EventInput): Promise<void> {
    const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
    this.client ??= new SNSClient(this.region === undefined ? {} : { region: this.region });
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: input.subject.slice(0, 99),
        Message: input.message,
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: input.eventType },
          userId: { DataType: 'String', StringValue: input.userId },
          itemId: { DataType: 'String', StringValue: input.itemId },
        },
      }),
    );
  }
}

/**
 * Local mode: alerts land in the outbox. Topic events are kept as `topic` messages, and — as SNS
 * would deliver to confirmed email subscriptions filtered on `userId` — copied as `email`
 * messages to the addresses subscribed for that user.
 */
export class OutboxAlertChannels implements AlertChannels {
  constructor(
    private readonly sms: SmsSender,
    private readonly outbox: Outbox = localOutbox,
  ) {}

  sendSms(input: { phone: string; message: string }): Promise<void> {
    return this.sms.send(input);
  }

  async publishEvent(input: EventInput): Promise<void> {
    const at = new Date().toISOString();
    const attributes = { eventType: input.eventType, userId: input.userId, itemId: input.itemId };
    this.outbox.add({ channel: 'topic', to: 'alert-topic', message: input.message, attributes, at });
    for (const email of this.outbox.emailSubscriptions.get(input.userId) ?? []) {
      this.outbox.add({
        channel: 'email',
        to: email,
        message: `${input.subject}\n\n${input.message}`,
        attributes,
        at,
      });
    }
  }
}
