import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { epochSeconds } from './stored';

/** A pass's fault counter is garbage after this long (TTL). */
const PASS_COUNTER_SECONDS = 24 * 3600;

/**
 * The poller's circuit breaker, under `POLLER#breaker`: one counter of operator faults per pass
 * (`PASS#<dispatchedAt>`, TTL a day) and the pause itself (`STATE`).
 */
export const pollerBreaker = {
  passKey: (passId: string) => ({ pk: 'POLLER#breaker', sk: `PASS#${passId}` }),
  stateKey: () => ({ pk: 'POLLER#breaker', sk: 'STATE' }),

  /** Pattern: count one fault of a pass (UpdateItem ADD, creating the counter). */
  countFault: (code: string, now: Date): Expression => ({
    expression:
      'ADD faults :one SET lastCode = :code, expiresAt = if_not_exists(expiresAt, :expiresAt), entity = :entity',
    values: {
      ':one': 1,
      ':code': code,
      ':expiresAt': epochSeconds(now) + PASS_COUNTER_SECONDS,
      ':entity': 'pollerPassFaults',
    },
  }),

  faultsOf: (item: StoredItem | undefined): number => Number(item?.faults ?? 0),

  pauseItem: (input: { pausedAt: Date; pausedUntil: Date; code: string }): StoredItem => ({
    ...pollerBreaker.stateKey(),
    entity: 'pollerBreaker',
    pausedAt: input.pausedAt.toISOString(),
    pausedUntil: input.pausedUntil.toISOString(),
    code: input.code,
  }),

  pausedUntilOf: (item: StoredItem | undefined): Date | undefined =>
    typeof item?.pausedUntil === 'string' ? new Date(item.pausedUntil) : undefined,
} as const;
