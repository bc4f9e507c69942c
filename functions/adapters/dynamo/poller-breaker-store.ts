import type { PollerBreakerStore } from '../../domain/ports/poller-breaker-store';
import { pollerBreaker } from './entities/poller-breaker';
import type { Table } from './table';

/** The poller's circuit breaker in the one table (`POLLER#breaker`). */
export class DynamoPollerBreakerStore implements PollerBreakerStore {
  constructor(private readonly table: Table) {}

  /** Pattern: count an operator fault of a pass (UpdateItem `ADD faults 1`, the new count returned). */
  async countFault(passId: string, code: string, now: Date): Promise<number> {
    const result = await this.table.update(
      pollerBreaker.passKey(passId),
      pollerBreaker.countFault(code, now),
    );
    return result.written ? pollerBreaker.faultsOf(result.attributes) : 0;
  }

  /** Pattern: pause the poller (PutItem `POLLER#breaker`/`STATE`). */
  async pause(input: { pausedAt: Date; pausedUntil: Date; code: string }): Promise<void> {
    await this.table.put(pollerBreaker.pauseItem(input));
  }

  /** Pattern: the poller's pause (GetItem `POLLER#breaker`/`STATE`, eventually consistent). */
  async pausedUntil(): Promise<Date | undefined> {
    return pollerBreaker.pausedUntilOf(await this.table.get(pollerBreaker.stateKey(), { eventual: true }));
  }
}
