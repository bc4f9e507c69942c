import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { epochSeconds } from './stored';

/**
 * A password-reset link mailed to a confirmed email, by the hash of its secret (TTL item):
 * `RESET#<hash>` / `LINK`. Deleted by the reset that uses it, so it works once.
 */
export const resetLinks = {
  key: (linkHash: string) => ({ pk: `RESET#${linkHash}`, sk: 'LINK' }),

  toItem: (input: { linkHash: string; userId: string; expiresAt: Date }): StoredItem => ({
    ...resetLinks.key(input.linkHash),
    entity: 'resetLink',
    userId: input.userId,
    expiresAt: epochSeconds(input.expiresAt),
  }),

  /** Not yet expired at `now` (TTL deletes late): what using the link requires. */
  live: (now: Date): Expression => ({
    expression: 'attribute_exists(pk) AND expiresAt > :nowEpoch',
    values: { ':nowEpoch': epochSeconds(now) },
  }),
} as const;
