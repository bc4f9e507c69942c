import { dispatchUseCase } from '../composition/bank-links';
import { once } from '../composition/once';
import { startFunction } from '../composition/start-function';
import { logger } from '../http/logger';

startFunction('pollerDispatch', { http: false });
const dispatch = once(() => dispatchUseCase());

/**
 * The poller's dispatcher, started by an EventBridge schedule: queries due Items shard by shard
 * through the next-check index and sends them to the check queue in batches of ten (one SQS
 * client per container, not per run).
 */
export const handler = async (): Promise<{ dispatched: number }> => {
  const result = await dispatch()({ dueOnly: true });
  logger.info('poller dispatched', result);
  return result;
};
