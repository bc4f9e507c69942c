/** Where the poller's circuit breaker keeps its counts and its pause (shared by every worker). */
export interface PollerBreakerStore {
  /** Counts one operator fault of pass `passId`; the pass's count so far, this one included. */
  countFault(passId: string, code: string, now: Date): Promise<number>;
  /** Pauses the poller until `until`. */
  pause(input: { pausedAt: Date; pausedUntil: Date; code: string }): Promise<void>;
  /** When the current pause ends, if the poller was ever paused. */
  pausedUntil(): Promise<Date | undefined>;
}
