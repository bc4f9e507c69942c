import { InProcessDeletionQueue } from '../functions/adapters/deletion-queues';
import {
  LOCAL_DELETION_ATTEMPTS,
  performDeletionWorkUseCase,
} from '../functions/composition/account-deletion';
import { asFunction } from './function-scope';

/**
 * The account-deletion queue in local mode: the same worker as in AWS, each piece of work an
 * invocation of `account-deletion-worker`, retried with back-off (0.2 s, 0.4 s, 0.8 s, 1.6 s)
 * and dead-lettered after five tries, as SQS and its DLQ do.
 *
 * @example
 * const deletions = localDeletionQueue();
 * provideDeletionQueue(deletions); // after configureRuntime
 */
export function localDeletionQueue(): InProcessDeletionQueue {
  return new InProcessDeletionQueue(
    (work) => asFunction('account-deletion-worker', () => performDeletionWorkUseCase()(work)),
    { maxAttempts: LOCAL_DELETION_ATTEMPTS, backoffMs: (attempt) => 200 * 2 ** (attempt - 1) },
  );
}
