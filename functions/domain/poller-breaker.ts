import type { Clock } from './clock';
import { addSeconds } from './clock';
import type { CheckOutcome } from './item-checks';
import type { PollerBreakerStore } from './ports/poller-breaker-store';

/** A worker re-reads the pause at most this often (one read a container, not one per check). */
const PAUSE_READ_SECONDS = 30;

/** When the breaker trips, and for how long the poller then stays paused. */
export interface BreakerPolicy {
  faultsPerPass: number;
  pauseSeconds: number;
}

export interface BreakerDeps {
  clock: Clock;
  store: PollerBreakerStore;
  policy: BreakerPolicy;
  /** Operators' view: each operator fault, and the breaker tripping (both metrics and error logs). */
  report: {
    operatorFault(code: string, itemId: string): void;
    paused(until: Date, code: string): void;
  };
}

/**
 * The poller's circuit breaker. Errors of our own configuration (`INVALID_API_KEYS` after a
 * rotated secret, `INVALID_ACCESS_TOKEN` after pointing at the wrong environment) say nothing
 * about users' Items, so a check that meets one writes nothing (`checkItem`); here they are
 * counted per pass, and after `faultsPerPass` of them the poller pauses for `pauseSeconds`: the
 * dispatcher sends nothing and the workers drop what is queued, instead of calling Plaid for
 * every Item with credentials it refuses. Each fault and the pause are reported (metrics and a
 * CloudWatch alarm). After the pause the poller runs again; if the fault is still there, the
 * next pass trips the breaker again. An operator who fixed it early deletes the pause record
 * (docs/deploying.md).
 *
 * @example
 * const breaker = pollerBreaker(deps);
 * const outcome = await breaker.check(message, () => checkItem(itemDeps)(message));
 */
export function pollerBreaker(deps: BreakerDeps) {
  let known: { until: Date | undefined; readAt: Date } | undefined;

  /** Reports one fault, counts it under `passId`, and pauses the poller at the policy's count. */
  const count = async (passId: string, code: string, itemId: string): Promise<void> => {
    deps.report.operatorFault(code, itemId);
    const now = deps.clock.now();
    const faults = await deps.store.countFault(passId, code, now);
    if (faults === deps.policy.faultsPerPass) {
      const until = addSeconds(now, deps.policy.pauseSeconds);
      await deps.store.pause({ pausedAt: now, pausedUntil: until, code });
      known = { until, readAt: now };
      deps.report.paused(until, code);
    }
  };

  const pausedUntil = async (): Promise<Date | undefined> => {
    const now = deps.clock.now();
    if (known === undefined || addSeconds(known.readAt, PAUSE_READ_SECONDS) <= now)
      known = { until: await deps.store.pausedUntil(), readAt: now };
    return known.until !== undefined && known.until > now ? known.until : undefined;
  };

  return {
    /** When the pause ends, while the poller is paused. */
    pausedUntil,

    /** Runs one worker check unless the poller is paused, and counts an operator fault it meets. */
    async check(
      message: { itemId: string; dispatchedAt?: string },
      run: () => Promise<CheckOutcome>,
    ): Promise<CheckOutcome & { paused?: true }> {
      if ((await pausedUntil()) !== undefined)
        return { checked: false, changed: false, notified: false, paused: true };
      const outcome = await run();
      if (outcome.operatorFault === undefined) return outcome;
      await count(message.dispatchedAt ?? 'unscheduled', outcome.operatorFault, message.itemId);
      return outcome;
    },

    /**
     * Counts an operator fault met outside a pass (a webhook's confirmation, a repair): faults of
     * the same UTC hour count together, as a pass's do, so the same wrong secret that Plaid
     * refuses to the webhook worker and to repairs pauses the poller too, and raises the alarm.
     */
    async outsidePass(code: string, itemId: string): Promise<void> {
      await count(`outside#${deps.clock.now().toISOString().slice(0, 13)}`, code, itemId);
    },
  };
}
