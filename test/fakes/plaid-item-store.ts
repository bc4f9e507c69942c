import { shardOf } from '../../functions/domain/check-schedule';
import { ConflictError, ValidationFailedError } from '../../functions/domain/errors';
import type { ItemEvent, PlaidItemRecord } from '../../functions/domain/item-state-machine';
import type { ItemEventPage, PlaidItemStore } from '../../functions/domain/ports/plaid-item-store';
import { copy, cursors, InMemoryTable } from './in-memory-table';

const EVENT_PREFIX = 'EVENT#';
const DUE_PAGE = 500;

/**
 * {@link PlaidItemStore} in memory, with the DynamoDB adapter's rules: one Item per user and
 * institution, writes only over the version read, every event kept, the history outliving the
 * Item, and the next-check index sharded the same way.
 */
export class InMemoryPlaidItemStore implements PlaidItemStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async create(input: Parameters<PlaidItemStore['create']>[0]): Promise<'created' | 'institution_taken'> {
    const { item } = input;
    const guard = `${item.userId}#${item.institutionId}`;
    if (this.table.institutionGuards.has(guard)) return 'institution_taken';
    if (this.table.plaidItems.has(item.itemId)) throw new ConflictError();
    this.table.institutionGuards.set(guard, item.itemId);
    this.table.plaidItems.set(item.itemId, copy(item));
    this.table.appendItemEvent(item.itemId, input.event);
    return 'created';
  }

  async findByInstitution(userId: string, institutionId: string): Promise<string | undefined> {
    return this.table.institutionGuards.get(`${userId}#${institutionId}`);
  }

  async get(itemId: string): Promise<PlaidItemRecord | undefined> {
    return copy(this.table.plaidItems.get(itemId));
  }

  async listForUser(userId: string): Promise<PlaidItemRecord[]> {
    const position = (i: PlaidItemRecord) => `${i.createdAt}#${i.itemId}`;
    return [...this.table.plaidItems.values()]
      .filter((i) => i.userId === userId)
      .sort((a, b) => position(a).localeCompare(position(b)))
      .map(copy);
  }

  async listIdsForUser(userId: string): Promise<string[]> {
    return (await this.listForUser(userId)).map((i) => i.itemId);
  }

  async save(item: PlaidItemRecord, events: ItemEvent[]): Promise<'saved' | 'stale'> {
    const stored = this.table.plaidItems.get(item.itemId);
    if (stored === undefined || stored.version !== item.version - 1) return 'stale';
    this.table.plaidItems.set(item.itemId, copy(item));
    for (const event of events) this.table.appendItemEvent(item.itemId, event);
    return 'saved';
  }

  async addEvents(itemId: string, events: ItemEvent[]): Promise<void> {
    for (const event of events) this.table.appendItemEvent(itemId, event);
  }

  async remove(item: PlaidItemRecord, event: ItemEvent): Promise<void> {
    this.table.plaidItems.delete(item.itemId);
    this.table.institutionGuards.delete(`${item.userId}#${item.institutionId}`);
    this.table.appendItemEvent(item.itemId, event);
  }

  async listEvents(itemId: string, input: { limit: number; cursor?: string }): Promise<ItemEventPage> {
    const after = input.cursor === undefined ? undefined : cursors.decode(input.cursor, EVENT_PREFIX);
    if (input.cursor !== undefined && after === undefined) {
      throw new ValidationFailedError([{ path: 'cursor', message: 'Not a cursor this API handed out.' }]);
    }
    // Newest first; events of the same instant in reverse order of writing.
    const all = (this.table.itemEvents.get(itemId) ?? []).map((event, index) => ({
      event,
      position: `${EVENT_PREFIX}${event.at}#${String(index).padStart(8, '0')}`,
    }));
    const page = all
      .sort((a, b) => b.position.localeCompare(a.position))
      .filter((e) => after === undefined || e.position < after)
      .slice(0, input.limit);
    const last = page.at(-1);
    return {
      events: page.map((e) => copy(e.event)),
      ...(page.length === input.limit && last !== undefined
        ? { nextCursor: cursors.encode(last.position) }
        : {}),
    };
  }

  async dueItems(input: Parameters<PlaidItemStore['dueItems']>[0]) {
    const bound = input.dueBy === undefined ? undefined : `${input.dueBy.toISOString()}#~`;
    const after = input.startKey;
    const due = [...this.table.plaidItems.values()]
      .filter((i) => shardOf(i.itemId, this.table.shards) === input.shard)
      .map((i) => ({ itemId: i.itemId, position: `${i.nextCheckAt}#${i.itemId}` }))
      .filter((i) => bound === undefined || i.position < bound)
      .sort((a, b) => a.position.localeCompare(b.position))
      .filter((i) => after === undefined || i.position > Buffer.from(after, 'base64url').toString('utf8'));
    const page = due.slice(0, DUE_PAGE);
    const last = page.at(-1);
    return {
      itemIds: page.map((i) => i.itemId),
      ...(page.length === DUE_PAGE && last !== undefined
        ? { nextKey: Buffer.from(last.position, 'utf8').toString('base64url') }
        : {}),
    };
  }
}
