import { shardOf } from '../../../domain/check-schedule';
import type { PlaidItemRecord } from '../../../domain/item-state-machine';
import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { owner } from './owner';
import { recordOf } from './stored';

/** The optional attributes of a record: those a save must remove when the record has none. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/**
 * Every optional attribute of {@link PlaidItemRecord}, spelled out so that the compiler refuses a
 * new one missing here (a save would otherwise leave its old value behind).
 */
const OPTIONAL_ATTRIBUTES: Record<OptionalKeys<PlaidItemRecord>, true> = {
  errorCode: true,
  errorMessage: true,
  lastCheckedAt: true,
  lastSuccessAt: true,
  lastSyncAt: true,
  staleSince: true,
  updateType: true,
  consentExpiresAt: true,
  disconnectAt: true,
  repairMode: true,
  institutionStatus: true,
  outageSince: true,
  backNotice: true,
  reauthEpisodesAt: true,
  lastEventAt: true,
  episode: true,
  webhookUrl: true,
  restoredEpisodeId: true,
};

/** Attributes set once, when the Item is linked: a save never rewrites them. */
const LINK_ATTRIBUTES = new Set<string>(['itemId', 'userId', 'institutionId', 'createdAt']);

/** The owner index's sort key of an Item: by link time, then id. */
const ownerPosition = (item: Pick<PlaidItemRecord, 'createdAt' | 'itemId'>) =>
  `ITEM#${item.createdAt}#${item.itemId}`;

/**
 * A bank link (Plaid Item): `ITEM#<id>` / `ITEM`; on gsi2, the sharded next-check index,
 * `DUE#<shard>` / `<nextCheckAt>#<itemId>` (keys only). It is NOT on the owner index (gsi1): a
 * healthy check rewrites the Item every day, and an Item on gsi1 (which projects ALL) would pay
 * a second write unit there each time. The user's list goes through the institution guard
 * below, which changes only when the Item is linked or removed. Items linked before that change
 * still carry `gsi1pk`/`gsi1sk` until `migrateOwnerIndex` moves them; a save never touches those
 * two attributes, so such an Item stays listed either way.
 */
export const plaidItems = {
  key: (itemId: string) => ({ pk: `ITEM#${itemId}`, sk: 'ITEM' }),

  /** The Item as linking writes it (no owner-index keys). */
  toItem: (item: PlaidItemRecord, shards: number): StoredItem => ({
    ...plaidItems.key(item.itemId),
    ...plaidItems.dueKeys(item, shards),
    entity: 'plaidItem',
    ...item,
  }),

  /** Its entry in the next-check index: the shard, and the sort key that moves with `nextCheckAt`. */
  dueKeys: (item: Pick<PlaidItemRecord, 'itemId' | 'nextCheckAt'>, shards: number) => ({
    gsi2pk: `DUE#${shardOf(item.itemId, shards)}`,
    gsi2sk: `${item.nextCheckAt}#${item.itemId}`,
  }),

  /**
   * The update a save sends: `SET` every attribute the record has (the link-time ones excepted,
   * they never change) and the next-check keys, `REMOVE` every optional attribute it has not.
   * The owner-index keys of an Item linked before the guard carried them are left alone.
   */
  saveUpdate: (item: PlaidItemRecord, shards: number): Expression => {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const set: string[] = [];
    const remove: string[] = [];
    const attributes: Record<string, unknown> = { ...item, ...plaidItems.dueKeys(item, shards) };
    for (const [index, [name, value]] of Object.entries(attributes).entries()) {
      if (LINK_ATTRIBUTES.has(name) || value === undefined) continue;
      names[`#s${index}`] = name;
      values[`:s${index}`] = value;
      set.push(`#s${index} = :s${index}`);
    }
    for (const [index, name] of Object.keys(OPTIONAL_ATTRIBUTES).entries()) {
      if (attributes[name] !== undefined) continue;
      names[`#r${index}`] = name;
      remove.push(`#r${index}`);
    }
    return {
      expression: `SET ${set.join(', ')}${remove.length === 0 ? '' : ` REMOVE ${remove.join(', ')}`}`,
      names,
      values,
    };
  },

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

  /** An Item as stored before the owner index moved to its guard: it still has `gsi1pk`. */
  isOnOwnerIndex: (item: StoredItem): boolean => typeof item.gsi1pk === 'string',

  /** Takes an Item off the owner index (its guard carries the entry from then on). */
  leaveOwnerIndex: { expression: 'REMOVE gsi1pk, gsi1sk' } as Expression,
} as const;

/**
 * One Item per user per institution: this guard item makes it so.
 * `USERINST#<user>#<institution>` / `GUARD`. It is also the Item's entry in its owner's index
 * (gsi1 `USER#<userId>` / `ITEM#<createdAt>#<itemId>`): it is written when the Item is linked and
 * deleted when it is removed, and nothing else rewrites it, so checks never move that index.
 */
export const institutionGuards = {
  key: (userId: string, institutionId: string) => ({
    pk: `USERINST#${userId}#${institutionId}`,
    sk: 'GUARD',
  }),

  toItem: (item: Pick<PlaidItemRecord, 'userId' | 'institutionId' | 'itemId' | 'createdAt'>): StoredItem => ({
    ...institutionGuards.key(item.userId, item.institutionId),
    ...institutionGuards.ownerKeys(item),
    entity: 'institutionGuard',
    itemId: item.itemId,
  }),

  /** The guard's owner-index keys. */
  ownerKeys: (item: Pick<PlaidItemRecord, 'userId' | 'itemId' | 'createdAt'>) => ({
    gsi1pk: owner.partition(item.userId),
    gsi1sk: ownerPosition(item),
  }),

  /** The Item id an owner-index entry names (a guard, or an Item still on the index itself). */
  itemIdOf: (entry: StoredItem): string | undefined =>
    typeof entry.itemId === 'string' ? entry.itemId : undefined,

  /** The guard still names `itemId`. */
  holds: (itemId: string): Expression => ({
    expression: 'itemId = :guardedItem',
    values: { ':guardedItem': itemId },
  }),
} as const;
