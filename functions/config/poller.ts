import * as z from 'zod/mini';
import type { CheckSchedule } from '../domain/check-schedule';
import { type Env, int, parseSection } from './read-env';

/** How often Items are checked, and by how many shards and workers. */
export interface PollerConfig {
  shards: number;
  queueUrl: string | undefined;
  concurrency: number;
  schedule: CheckSchedule;
}

/**
 * The `plaid` capability (every function that writes an Item computes its next check and shard)
 * and the poller's functions.
 */
export function readPoller(env: Env): PollerConfig {
  const e = parseSection(
    env,
    z.object({
      POLLER_SHARDS: z._default(int(1, 256), 16),
      CHECK_QUEUE_URL: z.optional(z.url()),
      POLLER_CONCURRENCY: z._default(int(1, 1000), 16),
      CHECK_HEALTHY_HOURS: z._default(int(1, 24 * 30), 24),
      CHECK_NEEDS_ACTION_HOURS: z._default(int(1, 24 * 7), 6),
      CHECK_BACKOFF_FIRST_MINUTES: z._default(int(1, 24 * 60), 15),
      CHECK_BACKOFF_MAX_HOURS: z._default(int(1, 48), 4),
      ITEM_STALE_AFTER_HOURS: z._default(int(1, 24 * 90), 72),
    }),
  );
  return {
    shards: e.POLLER_SHARDS,
    queueUrl: e.CHECK_QUEUE_URL,
    concurrency: e.POLLER_CONCURRENCY,
    schedule: {
      healthySeconds: e.CHECK_HEALTHY_HOURS * 3600,
      needsActionSeconds: e.CHECK_NEEDS_ACTION_HOURS * 3600,
      transientFirstSeconds: e.CHECK_BACKOFF_FIRST_MINUTES * 60,
      transientMaxSeconds: e.CHECK_BACKOFF_MAX_HOURS * 3600,
      jitter: 0.1,
      staleAfterSeconds: e.ITEM_STALE_AFTER_HOURS * 3600,
    },
  };
}

/** The `checkQueue` capability (the dispatcher): the queue it sends due Items to. */
export function readCheckQueue(env: Env): { queueUrl: string } {
  const e = parseSection(env, z.object({ CHECK_QUEUE_URL: z.url() }));
  return { queueUrl: e.CHECK_QUEUE_URL };
}
