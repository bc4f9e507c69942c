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
