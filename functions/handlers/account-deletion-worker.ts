import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { performDeletionWorkUseCase } from '../composition/account-deletion';
import { once } from '../composition/once';
import { startFunction } from '../composition/start-function';
import type { DeletionWork } from '../domain/ports/deletion-queue';
import { loggableError, logger } from '../http/logger';

startFunction('accountDeletionWorker', { http: false });
const performDeletionWork = once(performDeletionWorkUseCase);

const KINDS = new Set<DeletionWork['kind']>([
  'plaid-item',
  'apple-token',
  'email-subscription',
  'audit-events',
]);

/**
 * The deletion queue's worker: removes a deleted account's bank links at Plaid and revokes its
 * Apple tokens, one message after another. A failure (Plaid or Apple down) is a partial batch
 * failure: SQS retries it, and after its retries moves it to the DLQ, whose alarm calls a person.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let work: DeletionWork;
    try {
      work = JSON.parse(record.body) as DeletionWork;
      if (!KINDS.has(work.kind) || typeof work.userId !== 'string') throw new Error('unknown kind');
    } catch {
      // Never retried: a message we cannot read goes to the DLQ at once, for a person to see.
      logger.error('malformed deletion message', { messageId: record.messageId });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      const outcome = await performDeletionWork()(work);
      logger.info('deletion work', { kind: work.kind, userId: work.userId, outcome });
    } catch (error) {
      logger.warn('deletion work failed; SQS retries it', {
        messageId: record.messageId,
        kind: work.kind,
        userId: work.userId,
        error: loggableError(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
