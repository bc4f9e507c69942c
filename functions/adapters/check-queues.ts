import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueueRefusedError } from '../domain/errors';
import type { CheckQueue } from '../domain/ports/check-queue';
import type { Lazy } from './lazy';

type Message = { itemId: string; dispatchedAt: string };

/**
 * The dispatcher's queue in AWS: SQS, ten messages a batch. Messages that SQS reports as failed
 * are sent again, then the call fails (the dispatcher's next run picks the Items up again: they
 * are still due).
 */
export class SqsCheckQueue implements CheckQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: Lazy<SQSClient>,
  ) {}

  async enqueue(messages: Message[]): Promise<void> {
    const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
    const client = await this.sqs();
    for (let i = 0; i < messages.length; i += 10) {
      let batch = messages
        .slice(i, i + 10)
        .map((m, n) => ({ Id: String(n), MessageBody: JSON.stringify(m) }));
      for (let attempt = 0; batch.length > 0; attempt++) {
        const result = await client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        batch = batch.filter((entry) => failed.has(entry.Id));
        if (batch.length > 0 && attempt >= 2)
          throw new QueueRefusedError(`SQS refused ${batch.length} check messages.`);
      }
    }
  }
}

/**
 * Local mode's queue: runs the worker in-process, at most `concurrency` checks at once (as the
 * worker's reserved concurrency does in AWS), and tallies what the pass did.
 */
export class InProcessCheckQueue implements CheckQueue {
  private readonly pending = new Set<Promise<void>>();
  readonly tally = { checked: 0, changed: 0, notified: 0, failed: 0 };

  constructor(
    private readonly work: (
      message: Message,
    ) => Promise<{ checked: boolean; changed: boolean; notified: boolean }>,
    private readonly concurrency: number,
    private readonly onFailure: (itemId: string, error: unknown) => void = () => undefined,
  ) {}

  async enqueue(messages: Message[]): Promise<void> {
    for (const message of messages) {
      while (this.pending.size >= this.concurrency) await Promise.race(this.pending);
      const task = this.work(message)
        .then((outcome) => {
          if (outcome.checked) this.tally.checked++;
          if (outcome.changed) this.tally.changed++;
          if (outcome.notified) this.tally.notified++;
        })
        .catch((error: unknown) => {
          this.tally.failed++;
          this.onFailure(message.itemId, error);
        })
        .finally(() => this.pending.delete(task));
      this.pending.add(task);
    }
  }

  /** Waits for every check handed in so far. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.race(this.pending);
  }
}
