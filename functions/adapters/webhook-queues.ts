import { createHash } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Clock } from '../domain/clock';
import type { WebhookMessage, WebhookQueue } from '../domain/ports/webhook-queue';
import type { Lazy } from './lazy';

/** SQS FIFO drops a message whose deduplication id it saw in the last five minutes. */
const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

const bodyDigest = (body: string) => createHash('sha256').update(body, 'utf8').digest('hex');

/**
 * The webhook queue in AWS: an SQS FIFO queue. One message group per Item, so one Item's
 * webhooks are processed one at a time and in the order received (confirmations of a burst are
 * then spaced and shared); the deduplication id is the body's SHA-256, so Plaid's retries of the
 * same body within five minutes (each with a fresh signature) are one message.
 */
export class SqsWebhookQueue implements WebhookQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: Lazy<SQSClient>,
  ) {}

  async enqueue(message: WebhookMessage): Promise<void> {
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await (await this.sqs()).send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageGroupId: message.itemId,
        MessageDeduplicationId: bodyDigest(message.body),
      }),
    );
  }
}

/**
 * Local mode's webhook queue: processes in the background, one Item's webhooks one after another
 * (as the FIFO's message groups do), dropping a body seen in the last five minutes (as its
 * deduplication does). `drain()` waits for everything handed in so far.
 */
export class InProcessWebhookQueue implements WebhookQueue {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly work: (message: WebhookMessage) => Promise<unknown>,
    private readonly onFailure: (message: WebhookMessage, error: unknown) => void,
  ) {}

  async enqueue(message: WebhookMessage): Promise<void> {
    const now = this.clock.now().getTime();
    for (const [digest, at] of this.seen) if (at <= now - DEDUPLICATION_WINDOW_MS) this.seen.delete(digest);
    const digest = bodyDigest(message.body);
    if (this.seen.has(digest)) return;
    this.seen.set(digest, now);
    const previous = this.chains.get(message.itemId) ?? Promise.resolve();
    const next = previous
      .then(() => this.work(message))
      .then(
        () => undefined,
        (error: unknown) => this.onFailure(message, error),
      );
    this.chains.set(message.itemId, next);
    void next.finally(() => {
      if (this.chains.get(message.itemId) === next) this.chains.delete(message.itemId);
    });
  }

  /** Waits for every webhook handed in so far (and those they lead to). */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }
}
