import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { epochSeconds } from './stored';

/**
 * A proven SMS code to a dormant account, waiting for one more proof (TTL item), by the hash of
 * its secret: `REVERIFY#<hash>` / `CHALLENGE`. Deleted by what completes it, so it works once.
 */
export const reverifyChallenges = {
  key: (challengeHash: string) => ({ pk: `REVERIFY#${challengeHash}`, sk: 'CHALLENGE' }),

  toItem: (input: { challengeHash: string; userId: string; phone: string; expiresAt: Date }): StoredItem => ({
    ...reverifyChallenges.key(input.challengeHash),
    entity: 'reverifyChallenge',
    userId: input.userId,
    phone: input.phone,
    expiresAt: epochSeconds(input.expiresAt),
  }),

  /** Still there, for this account, and not expired at `now` (TTL deletes late). */
  live: (userId: string, now: Date): Expression => ({
    expression: 'attribute_exists(pk) AND userId = :challengeUser AND expiresAt > :challengeNow',
    values: { ':challengeUser': userId, ':challengeNow': epochSeconds(now) },
  }),
} as const;
