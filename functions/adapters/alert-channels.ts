import { randomBytes } from 'node:crypto';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { AlertChannels } from '../domain/ports/alert-channels';
import type { EmailSubscriptions } from '../domain/ports/email-subscriptions';
import type { SmsSender } from '../domain/ports/sms-sender';
import type { Lazy } from './lazy';
import { localOutbox, type Outbox } from './outbox';

type EventInput = Parameters<AlertChannels['publishEvent']>[0];

/**
 * Alerts through SNS: SMS straight to the phone (the SMS sender), and every alert as an event on
 * the alert topic with `eventType` and `userId` message attributes, which email subscriptions
 * (filter policy on `userId`) and other consumers select on.
 */
export class SnsAlertChannels implements AlertChannels {
  constructor(
    private readonly sms: SmsSender,
    private readonly topicArn: string,
    private readonly sns: Lazy<SNSClient>,
  ) {}

  sendSms(input: { phone: string; message: string }): Promise<void> {
    return this.sms.send(input);
  }

  async publishEvent(input: EventInput): Promise<void> {
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    const client = await this.sns();
    await client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: input.subject.slice(0, 99),
        Message: input.message,
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: input.eventType },
          userId: { DataType: 'String', StringValue: input.userId },
          ...(input.itemId === undefined
            ? {}
            : { itemId: { DataType: 'String' as const, StringValue: input.itemId } }),
        },
      }),
    );
  }
}

/**
 * Local mode: alerts land in the outbox. Topic events are kept as `topic` messages, and — as SNS
 * delivers only to *confirmed* email subscriptions filtered on `userId` — copied as `email`
 * messages to the addresses subscribed for that user that followed their confirmation link.
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
    const attributes = {
      eventType: input.eventType,
      userId: input.userId,
      ...(input.itemId === undefined ? {} : { itemId: input.itemId }),
    };
    this.outbox.add({ channel: 'topic', to: 'alert-topic', message: input.message, attributes, at });
    for (const email of this.outbox.emailSubscriptions.get(input.userId) ?? []) {
      if (!this.outbox.isConfirmed(input.userId, email)) continue;
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

/** Email subscriptions to the alert topic through SNS, with a `userId` filter policy. */
export class SnsEmailSubscriptions implements EmailSubscriptions {
  constructor(
    private readonly topicArn: string,
    private readonly sns: Lazy<SNSClient>,
  ) {}

  async subscribe(email: string, userId: string): Promise<string> {
    const { SubscribeCommand } = await import('@aws-sdk/client-sns');
    const client = await this.sns();
    const result = await client.send(
      new SubscribeCommand({
        TopicArn: this.topicArn,
        Protocol: 'email',
        Endpoint: email,
        // SNS mails a confirmation link; until it is followed, the subscription is pending.
        ReturnSubscriptionArn: true,
        Attributes: {
          FilterPolicy: JSON.stringify({ userId: [userId] }),
          FilterPolicyScope: 'MessageAttributes',
        },
      }),
    );
    return result.SubscriptionArn ?? 'pending confirmation';
  }

  async unsubscribe(handle: string): Promise<void> {
    if (!handle.startsWith('arn:')) return;
    const { UnsubscribeCommand } = await import('@aws-sdk/client-sns');
    const client = await this.sns();
    await client.send(new UnsubscribeCommand({ SubscriptionArn: handle }));
  }

  /** SNS's `PendingConfirmation` attribute: `false` once the address followed SNS's link. */
  async isConfirmed(handle: string): Promise<boolean> {
    if (!handle.startsWith('arn:')) return false;
    const { GetSubscriptionAttributesCommand, NotFoundException } = await import('@aws-sdk/client-sns');
    const client = await this.sns();
    try {
      const result = await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: handle }));
      return result.Attributes?.PendingConfirmation === 'false';
    } catch (error) {
      // An unconfirmed subscription SNS dropped after 3 days, or one the address unsubscribed from.
      if (error instanceof NotFoundException) return false;
      throw error;
    }
  }
}

/**
 * Local mode: subscriptions live in the outbox, which also "sends" the confirmation mail: it holds
 * a link (`GET /_local/email/confirm?token=…`, served by the local API) that confirms the
 * subscription, as following SNS's link does. Until then no alert reaches the address.
 */
export class OutboxEmailSubscriptions implements EmailSubscriptions {
  constructor(private readonly outbox: Outbox = localOutbox) {}

  async subscribe(email: string, userId: string): Promise<string> {
    this.outbox.emailSubscriptions.set(userId, [email]);
    const token = randomBytes(18).toString('base64url');
    this.outbox.confirmationTokens.set(token, { userId, email });
    this.outbox.add({
      channel: 'email',
      to: email,
      message: `LinkGuard alerts: confirm your subscription by opening ${CONFIRM_PATH}?token=${token} on the local API.`,
      attributes: { userId, kind: 'subscription-confirmation' },
      at: new Date().toISOString(),
    });
    return `local:${userId}:${email}`;
  }

  async unsubscribe(handle: string): Promise<void> {
    const [, userId, email] = handle.split(':');
    if (userId === undefined) return;
    this.outbox.emailSubscriptions.set(
      userId,
      (this.outbox.emailSubscriptions.get(userId) ?? []).filter((e) => e !== email),
    );
    this.outbox.confirmedEmails.delete(`${userId}:${email}`);
  }

  async isConfirmed(handle: string): Promise<boolean> {
    const [, userId, email] = handle.split(':');
    if (userId === undefined || email === undefined) return false;
    return (
      (this.outbox.emailSubscriptions.get(userId) ?? []).includes(email) &&
      this.outbox.isConfirmed(userId, email)
    );
  }
}

/** The local API's path that confirms an outbox subscription (`local/local-routes.ts`). */
export const CONFIRM_PATH = '/_local/email/confirm';
