import { SqsCheckQueue } from '../adapters/check-queues';
import { dispatchUseCase } from '../composition/bank-links';
import { currentRuntime } from '../composition/runtime';
import { ConfigError } from '../domain/errors';
import { logger } from '../http/logger';

/**
 * The poller's dispatcher, started by an EventBridge schedule: queries due Items shard by shard
 * through the next-check index and sends them to the check queue in batches of ten.
 */
export const handler = async (): Promise<{ dispatched: number }> => {
  const { config } = currentRuntime();
  if (config.poller.queueUrl === undefined)
    throw new ConfigError('Invalid configuration: set CHECK_QUEUE_URL');
  const result = await dispatchUseCase(new SqsCheckQueue(config.poller.queueUrl, config.region))({
    dueOnly: true,
  });
  logger.info('poller dispatched', result);
  return result;
};
