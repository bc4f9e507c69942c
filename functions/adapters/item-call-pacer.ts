import type { Clock } from '../domain/clock';
import type { ItemCallPacer } from '../domain/ports/item-call-pacer';

/** Plaid allows 15 `/item/get` a minute per Item; one every 4 s keeps a burst within it. */
export const ITEM_CALL_SPACING_MS = 4000;

/**
 * Spaces one container's calls about the same Item at least `spacingMs` apart, waiting when a
 * call comes sooner. The webhook queue hands one Item's webhooks to one worker at a time (SQS
 * FIFO message groups), so this bounds the rate per Item that webhooks cause.
 *
 * @example
 * const pacer = new SpacedItemCallPacer(clock);
 * await pacer.turn(itemId); // then call Plaid
 */
export class SpacedItemCallPacer implements ItemCallPacer {
  private readonly lastCall = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly spacingMs = ITEM_CALL_SPACING_MS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async turn(itemId: string): Promise<void> {
    const last = this.lastCall.get(itemId);
    const wait = last === undefined ? 0 : last + this.spacingMs - this.clock.now().getTime();
    if (wait > 0) await this.sleep(wait);
    const now = this.clock.now().getTime();
    this.lastCall.set(itemId, now);
    for (const [id, at] of this.lastCall) if (at < now - 60_000) this.lastCall.delete(id);
  }
}
