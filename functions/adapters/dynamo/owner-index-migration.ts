import { institutionGuards, plaidItems } from './entities/plaid-item';
import type { Table } from './table';

/** What one run of {@link migrateOwnerIndex} found and did. */
export interface OwnerIndexMigration {
  /** Items read (every Item of every shard of the next-check index). */
  seen: number;
  /** Items moved off the owner index: their guard carries the entry now. */
  moved: number;
  /** Items already off it (linked after the change, or moved by an earlier run). */
  alreadyMoved: number;
  /** Items left on it because their guard names another Item: for an operator to look at. */
  guardConflicts: string[];
  /** Items that changed under every attempt: run the migration again for them. */
  busy: string[];
}

/** How often an Item that changed under the migration (a check, a webhook) is read again. */
const MAX_ATTEMPTS = 4;

/**
 * Moves every Item linked before the owner index moved to the institution guard off that index:
 * in one transaction per Item, its guard gets the owner-index keys (`USER#<userId>` /
 * `ITEM#<createdAt>#<itemId>`) and the Item loses them, only if the Item is still the version
 * read and the guard names it (or is missing: it is written then). Until an Item is moved it
 * stays listed through its own entry, and its checks cost one write unit more. The Items are
 * found through the next-check index (every Item is in it), shard by shard: no Scan. Safe to
 * run again, and while the API and the poller run.
 *
 * @example
 * const report = await migrateOwnerIndex(table, { shards: 16 });
 */
export async function migrateOwnerIndex(
  table: Table,
  input: { shards: number; dryRun?: boolean; log?: (line: string) => void },
): Promise<OwnerIndexMigration> {
  const report: OwnerIndexMigration = { seen: 0, moved: 0, alreadyMoved: 0, guardConflicts: [], busy: [] };
  for (let shard = 0; shard < input.shards; shard++) {
    let after: Record<string, unknown> | undefined;
    do {
      const page = await table.query({
        index: 'gsi2',
        key: plaidItems.dueIn(shard, undefined),
        ...(after === undefined ? {} : { after }),
      });
      for (const entry of page.items) {
        report.seen++;
        const outcome = await moveOne(table, plaidItems.idOf(entry), input.dryRun === true);
        if (outcome === 'moved') report.moved++;
        else if (outcome === 'already') report.alreadyMoved++;
        else if (outcome === 'conflict') report.guardConflicts.push(plaidItems.idOf(entry));
        else report.busy.push(plaidItems.idOf(entry));
      }
      after = page.lastKey;
    } while (after !== undefined);
    input.log?.(`shard ${shard}: ${report.seen} Items so far, ${report.moved} moved`);
  }
  return report;
}

async function moveOne(
  table: Table,
  itemId: string,
  dryRun: boolean,
): Promise<'moved' | 'already' | 'conflict' | 'busy'> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const stored = await table.get(plaidItems.key(itemId));
    if (stored === undefined || !plaidItems.isOnOwnerIndex(stored)) return 'already';
    const item = plaidItems.fromItem(stored);
    if (dryRun) return 'moved';
    const outcome = await table
      .transaction()
      .update(
        institutionGuards.key(item.userId, item.institutionId),
        {
          expression:
            'SET gsi1pk = :ownerPk, gsi1sk = :ownerSk, itemId = :guardedItem, entity = :guardEntity',
          values: {
            ':ownerPk': institutionGuards.ownerKeys(item).gsi1pk,
            ':ownerSk': institutionGuards.ownerKeys(item).gsi1sk,
            ':guardEntity': 'institutionGuard',
          },
        },
        {
          if: {
            expression: `attribute_not_exists(pk) OR ${institutionGuards.holds(itemId).expression}`,
            values: institutionGuards.holds(itemId).values,
          },
          name: 'guard',
        },
      )
      .update(plaidItems.key(itemId), plaidItems.leaveOwnerIndex, {
        if: plaidItems.unchangedSince(item.version),
        name: 'item',
      })
      .run();
    if (outcome.ok) return 'moved';
    if (outcome.failed === 'guard') return 'conflict';
    // The Item changed (or went) under us: read it again.
  }
  return 'busy';
}
