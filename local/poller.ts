import { InProcessCheckQueue } from '../functions/adapters/check-queues';
import { checkItemUseCase, dispatchUseCase } from '../functions/composition/bank-links';
import { currentRuntime } from '../functions/composition/runtime';
import { asFunction } from './function-scope';

/** What one pass did. */
export interface PassResult {
  checked: number;
  changed: number;
  notified: number;
  failed: number;
  /** The poller is paused by its circuit breaker (Plaid refuses our configuration): nothing was dispatched. */
  paused?: true;
}

/**
 * The poller in local mode: the same dispatcher and worker as in AWS, with an in-process queue
 * (bounded by POLLER_CONCURRENCY) instead of SQS. Passes never overlap: a pass asked for while
 * one runs waits for it.
 *
 * @example
 * const poller = localPoller();
 * await poller.runPass({ dueOnly: false }); // { checked, changed, notified, failed }
 */
export function localPoller() {
  let running: Promise<PassResult> = Promise.resolve({ checked: 0, changed: 0, notified: 0, failed: 0 });
  let timer: NodeJS.Timeout | undefined;

  const pass = async (dueOnly: boolean): Promise<PassResult> => {
    const check = checkItemUseCase();
    // Each check is an invocation of the worker, not part of the dispatcher's (as with SQS in AWS).
    const queue = new InProcessCheckQueue(
      (message) => asFunction('poller-worker', () => check(message)),
      currentRuntime().config.poller.concurrency,
      (itemId, error) =>
        console.error(
          `[poller] check of ${itemId} failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
    );
    const dispatched = await asFunction('poller-dispatch', () => dispatchUseCase(queue)({ dueOnly }));
    await queue.drain();
    return { ...queue.tally, ...(dispatched.pausedUntil === undefined ? {} : { paused: true as const }) };
  };

  const runPass = (input: { dueOnly: boolean }): Promise<PassResult> => {
    running = running.catch(() => undefined).then(() => pass(input.dueOnly));
    return running;
  };

  return {
    runPass,
    /** Runs a due-only pass every `seconds`. */
    start(seconds: number, report: (result: PassResult) => void = () => undefined) {
      timer = setInterval(() => {
        runPass({ dueOnly: true }).then(
          (result) => {
            if (result.checked > 0) report(result);
          },
          (error: unknown) =>
            console.error(`[poller] pass failed: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, seconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await running.catch(() => undefined);
    },
  };
}
