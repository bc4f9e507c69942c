import { shardOf } from '../../../domain/check-schedule';
import type { PlaidItemRecord } from '../../../domain/item-state-machine';
import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { owner } from './owner';
import { recordOf } from './stored';

/**
 * A bank link (Plaid Item): `ITEM#<id>` / `ITEM`; on the owner's gsi1 partition by creation; on
 * gsi2, the sharded next-check index, `DUE#<shard>` / `<nextCheckAt>#<itemId>` (keys only).
 */
export const plaidItems = {
  key: (itemId: string) => ({ pk: `ITEM#${itemId}`, sk: 'ITEM' }),

  toItem: (item: PlaidItemRecord, shards: number): StoredItem => ({
    ...plaidItems.key(item.itemId),
    gsi1pk: owner.partition(item.userId),
    gsi1sk: `ITEM#${item.createdAt}#${item.itemId}`,
    gsi2pk: `DUE#${shardOf(item.itemId, shards)}`,
    gsi2sk: `${item.nextCheckAt}#${item.itemId}`,
    entity: 'plaidItem',
    ...item,
  }),

  fromItem: (item: StoredItem): PlaidItemRecord => recordOf<PlaidItemRecord>(item),

  /** The item id in an index entry (the next-check index projects keys only). */
  idOf: (item: StoredItem): string => String(item.pk).slice('ITEM#'.length),

  /** Written by nobody since `version` was read. */
  unchangedSince: (version: number): Expression => ({
    expression: 'version = :readVersion',
    values: { ':readVersion': version },
  }),

  /** Pattern: Items of one shard due by `dueBy` (all of the shard if undefined). */
  dueIn: (shard: number, dueBy: Date | undefined): Expression => ({
    expression: dueBy === undefined ? 'gsi2pk = :shard' : 'gsi2pk = :shard AND gsi2sk < :dueBound',
    values: {
      ':shard': `DUE#${shard}`,
      ...(dueBy === undefined ? {} : { ':dueBound': `${dueBy.toISOString()}#~` }),
    },
  }),
} as const;

/** One Item per user per institution: this guard item makes it so. `USERINST#<user>#<institution>` / `GUARD`. */
export const institutionGuards = {
  key: (userId: string, institutionId: string) => ({
    pk: `USERINST#${userId}#${institutionId}`,
    sk: 'GUARD',
  }),

  toItem: (item: Pick<PlaidItemRecord, 'userId' | 'institutionId' | 'itemId'>): StoredItem => ({
    ...institutionGuards.key(item.userId, item.institutionId),
    entity: 'institutionGuard',
    itemId: item.itemId,
  }),
} as const;
