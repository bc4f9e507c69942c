import type { SQSClient } from '@aws-sdk/client-sqs';
import { QueueRefusedError } from '../domain/errors';
import type { DeletionQueue, DeletionWork } from '../domain/ports/deletion-queue';
import type { Lazy } from './lazy';

/**
 * The deletion queue in AWS: SQS, ten messages a batch, messages SQS reports as failed sent again
 * twice. SQS redelivers what the worker fails (visibility timeout) and moves a message that failed
 * `maxReceiveCount` times to the dead-letter queue, where an alarm fires.
 */
export class SqsDeletionQueue implements DeletionQueue {
  constructor(
    private readonly queueUrl: string,
    private readonly sqs: Lazy<SQSClient>,
  ) {}

  async enqueue(work: DeletionWork[]): Promise<void> {
    const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
    const client = await this.sqs();
    for (let i = 0; i < work.length; i += 10) {
      let batch = work.slice(i, i + 10).map((w, n) => ({ Id: String(n), MessageBody: JSON.stringify(w) }));
      for (let attempt = 0; batch.length > 0; attempt++) {
        const result = await client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            // The request that queued the work writes the deletion next: give it a head start.
            Entries: batch.map((entry) => ({ ...entry, DelaySeconds: 2 })),
          }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        batch = batch.filter((entry) => failed.has(entry.Id));
        if (batch.length > 0 && attempt >= 2)
          throw new QueueRefusedError(`SQS refused ${batch.length} deletion messages.`);
      }
    }
  }
}

/** What the local queue did with one piece of work. */
export interface LocalDeletionRecord {
  work: DeletionWork;
  attempts: number;
  outcome?: string;
  /** The code (or name) of each failed attempt's error, oldest first. */
  failures: string[];
}

/**
 * Local mode's deletion queue, with SQS's semantics in one process: each piece of work runs in
 * the worker's scope, a failure is retried after a back-off (the visibility timeout), and after
 * `maxAttempts` the work goes to the dead-letter list instead of being lost.
 */
export class InProcessDeletionQueue implements DeletionQueue {
  private readonly pending = new Set<Promise<void>>();
  readonly completed: LocalDeletionRecord[] = [];
  readonly deadLetters: LocalDeletionRecord[] = [];

  constructor(
    private readonly work: (work: DeletionWork) => Promise<string>,
    private readonly options: { maxAttempts: number; backoffMs: (attempt: number) => number },
  ) {}

  async enqueue(work: DeletionWork[]): Promise<void> {
    for (const w of work) {
      const task = this.run({ work: structuredClone(w), attempts: 0, failures: [] }).finally(() =>
        this.pending.delete(task),
      );
      this.pending.add(task);
    }
  }

  private async run(record: LocalDeletionRecord): Promise<void> {
    // Like the SQS queue's delivery delay: the request that queued the work is still writing.
    await new Promise((resolve) => setTimeout(resolve, this.options.backoffMs(0)).unref());
    for (;;) {
      record.attempts++;
      try {
        record.outcome = await this.work(record.work);
        this.completed.push(record);
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        record.failures.push(typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error');
        if (record.attempts >= this.options.maxAttempts) {
          this.deadLetters.push(record);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.options.backoffMs(record.attempts)).unref());
      }
    }
  }

  /** How much work is still running or waiting for a retry. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Waits until every piece of work handed in so far is done or dead-lettered. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.race(this.pending);
  }
}
