/** A primary key of the table. */
export interface Key {
  pk: string;
  sk: string;
}

/** A stored item, keys and all. */
export type StoredItem = Record<string, unknown>;
