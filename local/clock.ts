import type { Clock } from '../functions/domain/clock';

/**
 * The local runtime's clock: the real time plus an offset that only moves forward, so expiry,
 * lockouts, reminders and consent deadlines can be tried in seconds (`POST /_local/clock`). The
 * API, the poller and the Plaid emulator share it.
 *
 * @example
 * const clock = new OffsetClock();
 * clock.advance(86_400); // a day later, for everything local
 */
export class OffsetClock implements Clock {
  offsetSeconds = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetSeconds * 1000);
  }

  advance(seconds: number): void {
    this.offsetSeconds += seconds;
  }

  view() {
    return { now: this.now().toISOString(), offsetSeconds: this.offsetSeconds };
  }
}
