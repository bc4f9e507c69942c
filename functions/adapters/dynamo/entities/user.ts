import type { IdentityRecord, UserRecord } from '../../../domain/model';
import { conditions, type Expression } from '../expression';
import type { StoredItem } from '../table';
import type { Transaction } from '../transaction';
import { identities, identityTypes } from './identity';
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
 * What is left of a deleted account: `USER#<id>` / `DELETED`, with the time, kept as long as the
 * account's audit events. No profile can be written under the id again (every write to a user
 * requires its profile), and the deletion queue's work checks it before touching Plaid or Apple.
 */
export const deletedUsers = {
  key: (userId: string) => ({ pk: `USER#${userId}`, sk: 'DELETED' }),

  toItem: (input: { userId: string; deletedAt: Date; retentionSeconds: number }): StoredItem => ({
    ...deletedUsers.key(input.userId),
    entity: 'deleted-user',
    userId: input.userId,
    deletedAt: input.deletedAt.toISOString(),
    expiresAt: Math.floor(input.deletedAt.getTime() / 1000) + input.retentionSeconds,
  }),
} as const;

/**
 * The writes that create a user with their first way in: the identity (unique by its natural key;
 * a taken one fails as `name`), the guard of its type and the profile.
 */
export function createUser<N extends string, T extends string>(
  tx: Transaction<T>,
  input: { user: UserRecord; identity: IdentityRecord },
  name: N,
): Transaction<T | N> {
  return tx
    .put(identities.toItem(input.identity), { if: conditions.absent, name })
    .put(identityTypes.toItem(input.identity), { if: conditions.absent })
    .put(users.toItem(input.user), { if: conditions.absent });
}

/**
 * Adds a new identity to an existing user: the identity (a taken one fails as `name`), the guard
 * of its type (a type the user already has fails as `'type'`) and one more in `identityCount`
 * (a missing user fails as `'user'`). `set` adds to the count's update (e.g. `SET phone = :phone`).
 */
export function addIdentity<N extends string, T extends string>(
  tx: Transaction<T>,
  identity: IdentityRecord,
  name: N,
  extra?: { set: string; values: Record<string, unknown> },
): Transaction<T | N | 'type' | 'user'> {
  const count = users.countIdentities(1);
  return tx
    .put(identities.toItem(identity), { if: conditions.absent, name })
    .put(identityTypes.toItem(identity), { if: conditions.absent, name: 'type' })
    .update(
      users.key(identity.userId),
      extra === undefined
        ? count
        : { expression: `${extra.set} ${count.expression}`, values: { ...extra.values, ...count.values } },
      { if: conditions.present, name: 'user' },
    );
}

/**
 * Swaps a user's identity of one type for another of the same type: the new identity (a taken one
 * fails as `name`), the old one deleted if still theirs, and the type's guard pointed at the new
 * subject (written unconditionally, so a user from before the guard gets one).
 */
export function replaceIdentity<N extends string, T extends string>(
  tx: Transaction<T>,
  input: { identity: IdentityRecord; replaced: IdentityRecord },
  name: N,
): Transaction<T | N> {
  const { identity, replaced } = input;
  return tx
    .put(identities.toItem(identity), { if: conditions.absent, name })
    .delete(identities.key(replaced.type, replaced.subject), { if: conditions.ownedBy(identity.userId) })
    .put(identityTypes.toItem(identity));
}
