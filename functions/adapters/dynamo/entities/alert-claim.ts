import type { AlertKey } from '../../../domain/ports/alert-ledger';
import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { HISTORY_SECONDS } from './item-event';
import { epochSeconds } from './stored';

/** A claimed or sent alert, one per (episode, step, channel): `ITEM#<id>` / `ALERT#<episode>#<step>#<channel>`. */
export const alertClaims = {
  key: (key: AlertKey) => ({
    pk: `ITEM#${key.itemId}`,
    sk: `ALERT#${key.episodeId}#${key.step}#${key.channel}`,
  }),

  toItem: (key: AlertKey, claim: { claimId: string; now: Date }): StoredItem => ({
    ...alertClaims.key(key),
    entity: 'alertClaim',
    step: key.step,
    channel: key.channel,
    state: 'claimed',
    claimId: claim.claimId,
    claimedAt: claim.now.toISOString(),
    expiresAt: epochSeconds(claim.now) + HISTORY_SECONDS,
  }),

  /** Pattern: the claims of an episode (base table, sk begins with `ALERT#<episode>#`). */
  ofEpisode: (itemId: string, episodeId: string): Expression => ({
    expression: 'pk = :pk AND begins_with(sk, :episode)',
    values: { ':pk': `ITEM#${itemId}`, ':episode': `ALERT#${episodeId}#` },
  }),

  /** The claim is this one's. */
  heldBy: (claimId: string): Expression => ({
    expression: 'claimId = :claimId',
    values: { ':claimId': claimId },
  }),

  /** Nobody claimed it, or the claim went stale (a crashed sender). */
  claimable: (staleBefore: Date): Expression => ({
    expression: 'attribute_not_exists(pk) OR (#state = :claimed AND claimedAt < :staleBefore)',
    names: { '#state': 'state' },
    values: { ':claimed': 'claimed', ':staleBefore': staleBefore.toISOString() },
  }),
} as const;
