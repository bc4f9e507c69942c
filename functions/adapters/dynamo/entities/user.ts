import type { IdentityRecord, UserRecord } from '../../../domain/model';
import { conditions, type Expression } from '../expression';
import type { StoredItem } from '../table';
import type { Transaction } from '../transaction';
import { identities } from './identity';
import { owner } from './owner';
import { recordOf } from './stored';

/** A user's profile: `USER#<id>` / `PROFILE`, and `#PROFILE` on gsi1. */
export const users = {
  key: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),

  toItem: (user: UserRecord): StoredItem => ({
    ...users.key(user.id),
    gsi1pk: owner.partition(user.id),
    gsi1sk: '#PROFILE',
    entity: 'user',
    ...user,
  }),

  fromItem: (item: StoredItem): UserRecord => recordOf<UserRecord>(item),

  /** One more (or one fewer) way in, kept so the last one can never be unlinked. */
  countIdentities: (delta: 1 | -1): Expression => ({
    expression: 'ADD identityCount :delta',
    values: { ':delta': delta },
  }),
} as const;

/**
 * The writes that create a user with their first way in: the identity (unique by its natural key;
 * a taken one fails as `name`) and the profile.
 */
export function createUser<N extends string, T extends string>(
  tx: Transaction<T>,
  input: { user: UserRecord; identity: IdentityRecord },
  name: N,
): Transaction<T | N> {
  return tx
    .put(identities.toItem(input.identity), { if: conditions.absent, name })
    .put(users.toItem(input.user), { if: conditions.absent });
}
