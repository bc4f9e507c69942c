import { addSeconds } from './clock';
import { type ItemStatus, NEEDS_ACTION } from './item-status';

/** When Items are checked again. */
export interface CheckSchedule {
  healthySeconds: number;
  /** Broken Items are checked too, to notice a repair made outside the app. */
  needsActionSeconds: number;
  /** Transient errors back off from the first to the last, doubling. */
  transientFirstSeconds: number;
  transientMaxSeconds: number;
  /** ± this share of the interval, so Items linked together do not stay in step. */
  jitter: number;
  /** No successful data update from Plaid for this long, while Plaid reports no error, is stale. */
  staleAfterSeconds: number;
}

export const DEFAULT_SCHEDULE: CheckSchedule = {
  healthySeconds: 24 * 3600,
  needsActionSeconds: 6 * 3600,
  transientFirstSeconds: 15 * 60,
  transientMaxSeconds: 4 * 3600,
  jitter: 0.1,
  staleAfterSeconds: 3 * 24 * 3600,
};

/**
 * The next check of an Item in `status` after `now`. `transientFailures` counts consecutive
 * transient failures (1 for the first); a rate-limited check waits the first back-off.
 * `random` returns [0, 1); pass a fixed one in tests.
 *
 * @example
 * nextCheckAt('error', 2, now, DEFAULT_SCHEDULE, Math.random) // ~30 minutes later
 */
export function nextCheckAt(
  status: ItemStatus | 'rate_limited',
  transientFailures: number,
  now: Date,
  schedule: CheckSchedule,
  random: () => number,
): Date {
  let seconds: number;
  if (status === 'rate_limited') seconds = schedule.transientFirstSeconds;
  else if (status === 'error') {
    const doublings = Math.max(0, transientFailures - 1);
    seconds = Math.min(
      schedule.transientMaxSeconds,
      schedule.transientFirstSeconds * 2 ** Math.min(doublings, 20),
    );
  } else if (status === 'not_found' || status === 'revoked') {
    // Only a new link brings these back: checking often would learn nothing.
    seconds = 30 * 24 * 3600;
  } else if (NEEDS_ACTION.has(status)) seconds = schedule.needsActionSeconds;
  else seconds = schedule.healthySeconds;
  const jittered = seconds * (1 + schedule.jitter * (2 * random() - 1));
  return addSeconds(now, Math.round(jittered));
}

/**
 * The shard of an Item in the next-check index (FNV-1a of its id): spreads the dispatcher's
 * reads over `shards` partitions.
 *
 * @example
 * shardOf('item_abc', 4) // 0..3, always the same for this id
 */
export function shardOf(itemId: string, shards: number): number {
  let hash = 2166136261;
  for (let i = 0; i < itemId.length; i++) hash = Math.imul(hash ^ itemId.charCodeAt(i), 16777619);
  return (hash >>> 0) % shards;
}
