import { AppError, QueueRefusedError } from '../../functions/domain/errors';
import type { AlertChannels } from '../../functions/domain/ports/alert-channels';
import type { CheckMessage, CheckQueue } from '../../functions/domain/ports/check-queue';
import type { EmailSubscriptions } from '../../functions/domain/ports/email-subscriptions';
import type { MailBrake, MailReservation } from '../../functions/domain/ports/mail-brake';
import type { SmsSender } from '../../functions/domain/ports/sms-sender';

/** {@link SmsSender} that keeps what it sent. Set `failing` to make every send fail as SNS would. */
export class RecordingSmsSender implements SmsSender {
  readonly sent: { phone: string; message: string }[] = [];
  failing = false;

  async send(input: { phone: string; message: string }): Promise<void> {
    if (this.failing) throw new AppError('SMS_UNAVAILABLE', 'The SMS provider did not take the message.');
    this.sent.push({ ...input });
  }

  /** The last code sent to `phone` (six digits in the message), if any. */
  lastCodeTo(phone: string): string | undefined {
    const message = this.sent.filter((s) => s.phone === phone).at(-1)?.message;
    return message?.match(/\b(\d{6})\b/)?.[1];
  }
}

/** {@link AlertChannels} that keeps what it sent. Set `failing` per channel to make sends fail. */
export class RecordingAlertChannels implements AlertChannels {
  readonly sms: { phone: string; message: string }[] = [];
  readonly events: Parameters<AlertChannels['publishEvent']>[0][] = [];
  readonly failing = { sms: false, topic: false };

  async sendSms(input: { phone: string; message: string }): Promise<void> {
    if (this.failing.sms) throw new AppError('SMS_UNAVAILABLE', 'The SMS provider did not take the message.');
    this.sms.push({ ...input });
  }

  async publishEvent(input: Parameters<AlertChannels['publishEvent']>[0]): Promise<void> {
    if (this.failing.topic) throw new AppError('SERVICE_UNAVAILABLE', 'The topic did not take the event.');
    this.events.push({ ...input });
  }
}

/** {@link EmailSubscriptions} in memory: handle → who is subscribed. */
export class InMemoryEmailSubscriptions implements EmailSubscriptions {
  readonly subscriptions = new Map<string, { email: string; userId: string }>();
  private counter = 0;

  async subscribe(email: string, userId: string): Promise<string> {
    this.counter += 1;
    const handle = `subscription-${this.counter}`;
    this.subscriptions.set(handle, { email, userId });
    return handle;
  }

  async unsubscribe(handle: string): Promise<void> {
    this.subscriptions.delete(handle);
    this.confirmed.delete(handle);
  }

  /** Handles whose address followed the confirmation link. */
  readonly confirmed = new Set<string>();

  async isConfirmed(handle: string): Promise<boolean> {
    return this.confirmed.has(handle);
  }
}

/** {@link MailBrake} in memory: counts per user (and per client IP), refusing past the hourly limit. */
export class InMemoryMailBrake implements MailBrake {
  readonly counts = new Map<string, number>();

  async reserve(input: Parameters<MailBrake['reserve']>[0]): Promise<MailReservation> {
    const count = this.counts.get(input.userId) ?? 0;
    if (count >= input.limits.perHour) return { allowed: false, retryAfterSeconds: 3600 };
    this.counts.set(input.userId, count + 1);
    return { allowed: true };
  }

  async reserveFromClient(input: Parameters<MailBrake['reserveFromClient']>[0]): Promise<MailReservation> {
    const key = `ip:${input.ip}`;
    const count = this.counts.get(key) ?? 0;
    if (count >= input.perHour) return { allowed: false, retryAfterSeconds: 3600 };
    this.counts.set(key, count + 1);
    return { allowed: true };
  }
}

/** {@link CheckQueue} that keeps every batch. Set `failing` to refuse them as SQS would. */
export class RecordingCheckQueue implements CheckQueue {
  readonly batches: CheckMessage[][] = [];
  failing = false;

  async enqueue(messages: CheckMessage[]): Promise<void> {
    if (this.failing) throw new QueueRefusedError(`SQS refused ${messages.length} check messages.`);
    this.batches.push(messages.map((m) => ({ ...m })));
  }

  /** Every message enqueued, in order. */
  get messages(): CheckMessage[] {
    return this.batches.flat();
  }
}
