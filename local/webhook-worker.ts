import { InProcessWebhookQueue } from '../functions/adapters/webhook-queues';
import { processWebhookUseCase, useInProcessWebhookQueue } from '../functions/composition/bank-links';
import { currentRuntime, memo } from '../functions/composition/runtime';
import { asFunction } from './function-scope';

/**
 * The webhook pipeline in local mode: the receiver answers Plaid at once, as in AWS, and the same
 * webhook worker processes what it queued, in-process instead of from SQS FIFO (one Item's
 * webhooks in order, a repeated signature dropped), as an invocation of `plaid-webhook-worker`.
 * `drain()` waits for what was queued so far (tests, `/_local` reads).
 *
 * @example
 * const webhooks = localWebhookWorker();
 * await webhooks.drain();
 */
export function localWebhookWorker() {
  const queue = new InProcessWebhookQueue(
    { now: () => currentRuntime().clock.now() },
    (message) =>
      asFunction('plaid-webhook-worker', () =>
        // One processor per runtime, as one per container in AWS (its confirmations are shared).
        memo('webhookProcessor', () => processWebhookUseCase())(message),
      ),
    (message, error) =>
      console.error(
        `[webhooks] ${message.itemId}: processing failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
  useInProcessWebhookQueue(queue);
  return {
    queue,
    drain: () => queue.drain(),
    stop: async () => {
      await queue.drain();
      useInProcessWebhookQueue(undefined);
    },
  };
}
