import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { owner } from './owner';
import { epochSeconds } from './stored';

/**
 * The one live password-reset link of a user (TTL item): `USER#<id>` / `RESETLINK`, holding only
 * the hash of the link's secret and of the address it was mailed to. A new link overwrites the
 * previous one, and the reset that uses it deletes it, so a link works once and only the newest
 * works. TTL deletes late (DynamoDB Local never): expiry is checked on every read and write.
 */
export const resetLinks = {
  key: (userId: string) => ({ pk: owner.partition(userId), sk: 'RESETLINK' }),

  toItem: (input: { userId: string; linkHash: string; emailHash: string; expiresAt: Date }): StoredItem => ({
    ...resetLinks.key(input.userId),
    entity: 'resetLink',
    linkHash: input.linkHash,
    emailHash: input.emailHash,
    expiresAt: epochSeconds(input.expiresAt),
  }),

  /** Still this link (not replaced, not used) and not expired at `now`. */
  live: (linkHash: string, now: Date): Expression => ({
    expression: 'linkHash = :linkHash AND expiresAt > :linkNow',
    values: { ':linkHash': linkHash, ':linkNow': epochSeconds(now) },
  }),
} as const;
