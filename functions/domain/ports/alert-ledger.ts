import type { LedgerStep } from '../alert-policy';
import type { ItemEvent } from '../item-state-machine';

/** The channels an alert goes out on. Each is exactly-once on its own. */
export type AlertChannel = 'sms' | 'topic';

/**
 * One send: this step of this series on this channel. A series is an episode (`episodeId`), or a
 * deadline, staleness or outage series (`consent-<at>`, `disconnect-<at>`, `stale-<at>`, `back-<at>`).
 * `restored` closes an episode.
 */
export interface AlertKey {
  itemId: string;
  episodeId: string;
  step: LedgerStep;
  channel: AlertChannel;
}

/** Exactly-once bookkeeping of alerts: a send is claimed before it is published. */
export interface AlertLedger {
  /** Steps of the episode sent (or being sent) on a channel; a claim older than `staleBefore` does not count. */
  stepsOf(input: {
    itemId: string;
    episodeId: string;
    channel: AlertChannel;
    staleBefore: Date;
  }): Promise<LedgerStep[]>;
  /** Claims a send; false if someone else holds it or sent it. A stale claim may be taken over. */
  claim(key: AlertKey, input: { claimId: string; now: Date; staleBefore: Date }): Promise<boolean>;
  /**
   * Marks a claimed send done and records it in the Item's history (for `restored`, also clears
   * the Item's `restoredEpisodeId`). `lost` if the claim is no longer ours (taken over as stale);
   * nothing is written then.
   */
  complete(key: AlertKey, input: { claimId: string; event: ItemEvent }): Promise<'completed' | 'lost'>;
  /** Gives a claim back after a failed publish, so the next pass retries. A claim not ours is left. */
  release(key: AlertKey, input: { claimId: string }): Promise<void>;
}
