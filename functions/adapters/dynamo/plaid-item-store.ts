import type { ItemEvent, PlaidItemRecord } from '../../domain/item-state-machine';
import type { ItemEventPage, PlaidItemStore } from '../../domain/ports/plaid-item-store';
import { decodeCursor, encodeCursor } from './cursor';
import { itemEvents } from './entities/item-event';
import { owner } from './entities/owner';
import { institutionGuards, plaidItems } from './entities/plaid-item';
import { conditions } from './expression';
import type { Table } from './table';
import { MAX_TRANSACTION_ITEMS } from './transaction';

/** The dispatcher reads the next-check index this many keys a page. */
const DUE_PAGE = 500;

/** Plaid Items, their institution guards and their history, in the one table. */
export class DynamoPlaidItemStore implements PlaidItemStore {
  constructor(
    private readonly table: Table,
    private readonly shards: number,
  ) {}

  /** Pattern: link an Item (TransactWriteItems: guard `attribute_not_exists`, item, event). */
  async create(input: { item: PlaidItemRecord; event: ItemEvent }): Promise<'created' | 'institution_taken'> {
    const { item } = input;
    const outcome = await this.table
      .transaction()
      .put(institutionGuards.toItem(item), { if: conditions.absent, name: 'institution' })
      .put(plaidItems.toItem(item, this.shards), { if: conditions.absent })
      .put(itemEvents.toItem(item.itemId, input.event))
      .run();
    return outcome.ok ? 'created' : 'institution_taken';
  }

  /** Pattern: a user's Item for an institution (GetItem on the guard, consistent). */
  async findByInstitution(userId: string, institutionId: string): Promise<string | undefined> {
    const guard = await this.table.get(institutionGuards.key(userId, institutionId));
    return guard?.itemId as string | undefined;
  }

  /** Pattern: an Item by id (GetItem, consistent). */
  async get(itemId: string): Promise<PlaidItemRecord | undefined> {
    const item = await this.table.get(plaidItems.key(itemId));
    return item === undefined ? undefined : plaidItems.fromItem(item);
  }

  /**
   * Pattern: a user's Item ids (Query gsi1, `USER#<id>`, sk begins_with `ITEM#`): the guards'
   * entries, and those of Items linked before the guards carried them, by link time.
   */
  async listIdsForUser(userId: string): Promise<string[]> {
    const entries = await this.table.queryAll({ index: 'gsi1', key: owner.ofKind(userId, 'ITEM#') });
    const ids = entries.map(institutionGuards.itemIdOf).filter((id) => id !== undefined);
    return [...new Set(ids)];
  }

  /**
   * Pattern: a user's Items: their ids from the owner index, then the Items themselves
   * (BatchGetItem, consistent), by link time. An Item removed between the two reads is left out.
   */
  async listForUser(userId: string): Promise<PlaidItemRecord[]> {
    const ids = await this.listIdsForUser(userId);
    if (ids.length === 0) return [];
    const items = (await this.table.getAll(ids.map(plaidItems.key)))
      .map(plaidItems.fromItem)
      .filter((item) => item.userId === userId);
    const position = (i: PlaidItemRecord) => `${i.createdAt}#${i.itemId}`;
    return items.sort((a, b) => position(a).localeCompare(position(b)));
  }

  /**
   * Pattern: write an Item if unchanged since read (UpdateItem with `version = :read`), or with
   * its history (TransactWriteItems). A healthy Item checked again is one write of the Item
   * alone: the owner index is on the guard, so only the next-check index's entry moves. Every
   * event is written: those that do not fit in the Item's transaction follow it, 100 a
   * transaction.
   */
  async save(item: PlaidItemRecord, events: ItemEvent[]): Promise<'saved' | 'stale'> {
    const key = plaidItems.key(item.itemId);
    const update = plaidItems.saveUpdate(item, this.shards);
    const unchanged = plaidItems.unchangedSince(item.version - 1);
    if (events.length === 0) {
      const result = await this.table.update(key, update, unchanged, { returnNew: false });
      return result.written ? 'saved' : 'stale';
    }
    const first = events.slice(0, MAX_TRANSACTION_ITEMS - 1);
    let tx = this.table.transaction().update(key, update, { if: unchanged, name: 'item' });
    for (const event of first) tx = tx.put(itemEvents.toItem(item.itemId, event));
    if (!(await tx.run()).ok) return 'stale';
    for (let at = first.length; at < events.length; at += MAX_TRANSACTION_ITEMS) {
      let rest = this.table.transaction();
      for (const event of events.slice(at, at + MAX_TRANSACTION_ITEMS))
        rest = rest.put(itemEvents.toItem(item.itemId, event));
      await rest.run();
    }
    return 'saved';
  }

  /** Pattern: add history (PutItem per entry, `ITEM#<id>` / `EVENT#…`). */
  async addEvents(itemId: string, events: ItemEvent[]): Promise<void> {
    for (const event of events) await this.table.put(itemEvents.toItem(itemId, event));
  }

  /** Pattern: remove an Item (TransactWriteItems: delete item and guard, put event). */
  async remove(item: PlaidItemRecord, event: ItemEvent): Promise<void> {
    await this.table
      .transaction()
      .delete(plaidItems.key(item.itemId))
      .delete(institutionGuards.key(item.userId, item.institutionId))
      .put(itemEvents.toItem(item.itemId, event))
      .run();
  }

  /** Pattern: an Item's history, newest first (Query, `ITEM#<id>`, sk begins_with `EVENT#`). */
  async listEvents(itemId: string, input: { limit: number; cursor?: string }): Promise<ItemEventPage> {
    const { items, lastKey } = await this.table.query({
      key: itemEvents.ofItem(itemId),
      newestFirst: true,
      limit: input.limit,
      ...(input.cursor === undefined
        ? {}
        : { after: { pk: plaidItems.key(itemId).pk, sk: decodeCursor(input.cursor, itemEvents.prefix) } }),
    });
    const last = lastKey?.sk;
    return {
      events: items.map(itemEvents.fromItem),
      ...(typeof last === 'string' ? { nextCursor: encodeCursor(last) } : {}),
    };
  }

  /** Pattern: due Items of a shard (Query gsi2, `DUE#<shard>`, sk < `<dueBy>#~`), 500 a page. */
  async dueItems(input: { shard: number; dueBy: Date | undefined; startKey?: string }) {
    const { items, lastKey } = await this.table.query({
      index: 'gsi2',
      key: plaidItems.dueIn(input.shard, input.dueBy),
      limit: DUE_PAGE,
      ...(input.startKey === undefined
        ? {}
        : { after: JSON.parse(Buffer.from(input.startKey, 'base64url').toString()) }),
    });
    return {
      itemIds: items.map(plaidItems.idOf),
      ...(lastKey === undefined
        ? {}
        : { nextKey: Buffer.from(JSON.stringify(lastKey)).toString('base64url') }),
    };
  }
}
