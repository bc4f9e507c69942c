import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { checkItemUseCase } from '../composition/bank-links';
import { countItemCheck } from '../composition/metrics';
import { once } from '../composition/once';
import { startFunction } from '../composition/start-function';
import { loggableError, logger } from '../http/logger';

startFunction('pollerWorker', { http: false });
const checkItem = once(checkItemUseCase);

/**
 * The poller's worker: checks the Items of an SQS batch at Plaid, one after another (the queue's
 * maximum concurrency bounds how many workers run, and so Plaid's request rate). A failed Item is
 * reported as a partial batch failure, retried by SQS, and after its retries lands in the DLQ.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      const message = JSON.parse(record.body) as { itemId?: unknown; dispatchedAt?: unknown };
      if (typeof message.itemId !== 'string') {
        logger.error('malformed check message dropped', { messageId: record.messageId });
        continue;
      }
      const outcome = await checkItem()({
        itemId: message.itemId,
        ...(typeof message.dispatchedAt === 'string' ? { dispatchedAt: message.dispatchedAt } : {}),
      });
      countItemCheck(
        !outcome.checked ? 'skipped' : outcome.changed ? 'changed' : 'unchanged',
        outcome.item?.status,
      );
      logger.info('item checked', {
        itemId: message.itemId,
        status: outcome.item?.status,
        changed: outcome.changed,
        ...(outcome.paused ? { paused: true } : {}),
        ...(outcome.operatorFault === undefined ? {} : { operatorFault: outcome.operatorFault }),
      });
    } catch (error) {
      logger.error('item check failed', { messageId: record.messageId, error: loggableError(error) });
      countItemCheck('failed');
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
