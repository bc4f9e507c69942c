import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processWebhookUseCase } from '../composition/bank-links';
import { countWebhook } from '../composition/metrics';
import { once } from '../composition/once';
import { startFunction } from '../composition/start-function';
import { loggableError, logger } from '../http/logger';

startFunction('plaidWebhookWorker', { http: false });
const processWebhook = once(processWebhookUseCase);

/**
 * The webhook queue's worker (SQS FIFO, one message group per Item): processes verified Plaid
 * webhooks in order. When one fails, it and every later message of the batch are reported as
 * failures, so SQS retries them in the same order; after its retries a message lands in the DLQ.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    if (batchItemFailures.length > 0) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      const message = JSON.parse(record.body) as { itemId?: unknown; body?: unknown; issuedAt?: unknown };
      if (
        typeof message.itemId !== 'string' ||
        typeof message.body !== 'string' ||
        typeof message.issuedAt !== 'string'
      ) {
        logger.error('malformed webhook message dropped', { messageId: record.messageId });
        continue;
      }
      const result = await processWebhook()({
        itemId: message.itemId,
        body: message.body,
        issuedAt: message.issuedAt,
      });
      countWebhook(result.outcome);
      logger.info('plaid webhook processed', { itemId: message.itemId, ...result });
    } catch (error) {
      logger.error('plaid webhook processing failed', {
        messageId: record.messageId,
        error: loggableError(error),
      });
      countWebhook('failed');
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
