import type { NoticeChannel } from '../../../domain/ports/notice-ledger';
import type { Expression } from '../expression';
import type { StoredItem } from '../stored-item';
import { epochSeconds } from './stored';

/** How long a sent notice is remembered: far longer than any retry of the request that caused it. */
const REMEMBER_SECONDS = 30 * 24 * 3600;

/** A claimed or sent security notice, per audit event and channel: `NOTICE#<eventId>` / `<channel>`. */
export const securityNotices = {
  key: (eventId: string, channel: NoticeChannel) => ({ pk: `NOTICE#${eventId}`, sk: channel }),

  toItem: (input: { eventId: string; channel: NoticeChannel; claimId: string; now: Date }): StoredItem => ({
    ...securityNotices.key(input.eventId, input.channel),
    entity: 'securityNotice',
    state: 'claimed',
    claimId: input.claimId,
    claimedAt: input.now.toISOString(),
    expiresAt: epochSeconds(input.now) + REMEMBER_SECONDS,
  }),

  /** Nobody claimed it, or the claim went stale (a crashed sender). */
  claimable: (staleBefore: Date): Expression => ({
    expression: 'attribute_not_exists(pk) OR (#state = :claimed AND claimedAt < :staleBefore)',
    names: { '#state': 'state' },
    values: { ':claimed': 'claimed', ':staleBefore': staleBefore.toISOString() },
  }),

  heldBy: (claimId: string): Expression => ({
    expression: 'claimId = :claimId',
    values: { ':claimId': claimId },
  }),
} as const;
