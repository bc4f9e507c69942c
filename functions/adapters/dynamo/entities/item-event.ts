import { randomUUID } from 'node:crypto';
import type { ItemEvent } from '../../../domain/item-state-machine';
import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { epochSeconds, recordOf } from './stored';

/** History of an Item is kept this long (and this long after the Item is removed). */
export const HISTORY_SECONDS = 400 * 86400;

/** An entry of an Item's history: `ITEM#<id>` / `EVENT#<at>#<uuid>` (TTL item). */
export const itemEvents = {
  prefix: 'EVENT#',

  toItem: (itemId: string, event: ItemEvent): StoredItem => ({
    pk: `ITEM#${itemId}`,
    sk: `EVENT#${event.at}#${randomUUID()}`,
    entity: 'plaidItemEvent',
    ...event,
    expiresAt: epochSeconds(new Date(event.at)) + HISTORY_SECONDS,
  }),

  fromItem: (item: StoredItem): ItemEvent => recordOf<ItemEvent>(item),

  /** Pattern: an Item's history (base table, sk begins with `EVENT#`). */
  ofItem: (itemId: string): Expression => ({
    expression: 'pk = :pk AND begins_with(sk, :events)',
    values: { ':pk': `ITEM#${itemId}`, ':events': itemEvents.prefix },
  }),
} as const;
