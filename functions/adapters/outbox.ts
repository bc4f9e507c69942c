import type { SmsSender } from '../domain/ports/sms-sender';

/** One message the local runtime would have sent through SNS. */
export interface OutboxMessage {
  channel: 'sms' | 'topic' | 'email';
  to: string;
  message: string;
  attributes: Record<string, string>;
  at: string;
}

/**
 * Local mode's stand-in for SNS: keeps every message in memory for `GET /_local/outbox`, and
 * prints each one so a developer sees the code arrive. Never used in AWS.
 */
export class Outbox {
  readonly messages: OutboxMessage[] = [];
  /** Email addresses subscribed to the alert topic, by the `userId` their filter policy selects. */
  readonly emailSubscriptions = new Map<string, string[]>();
  /** Subscriptions (`<userId>:<email>`) whose confirmation link was followed; only these get mail. */
  readonly confirmedEmails = new Set<string>();
  /** The pending confirmation links' tokens, with the subscription each confirms. */
  readonly confirmationTokens = new Map<string, { userId: string; email: string }>();

  /**
   * Follows a confirmation link, as the address's owner does with SNS's mail. Answers the
   * subscription it confirmed, or undefined for an unknown token.
   */
  confirm(token: string): { userId: string; email: string } | undefined {
    const subscription = this.confirmationTokens.get(token);
    if (subscription === undefined) return undefined;
    this.confirmationTokens.delete(token);
    this.confirmedEmails.add(`${subscription.userId}:${subscription.email}`);
    return subscription;
  }

  /** Whether `email` has a confirmed subscription for `userId`'s alerts. */
  isConfirmed(userId: string, email: string): boolean {
    return this.confirmedEmails.has(`${userId}:${email}`);
  }

  constructor(private readonly print: (line: string) => void = () => undefined) {}

  add(message: OutboxMessage): void {
    this.messages.push(message);
    this.print(`[outbox] ${message.channel} to ${message.to}: ${message.message}`);
  }
}

/** The shared outbox of this process (the local runtime serves every function in one process). */
export const localOutbox = new Outbox((line) => console.log(line));

/** An SmsSender that writes to the outbox. */
export class OutboxSmsSender implements SmsSender {
  constructor(private readonly outbox: Outbox = localOutbox) {}

  async send(input: { phone: string; message: string }): Promise<void> {
    this.outbox.add({
      channel: 'sms',
      to: input.phone,
      message: input.message,
      attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional' },
      at: new Date().toISOString(),
    });
  }
}
