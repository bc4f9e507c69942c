import type { ItemEvent, PlaidItemRecord } from '../item-state-machine';

/** A page of an Item's history, newest first. */
export interface ItemEventPage {
  events: ItemEvent[];
  nextCursor?: string;
}

/** Plaid Items, their per-user institution guard and their history. */
export interface PlaidItemStore {
  /** Stores a new Item with its per-user institution guard; `institution_taken` if the user has one. */
  create(input: { item: PlaidItemRecord; event: ItemEvent }): Promise<'created' | 'institution_taken'>;
  /** The user's Item for an institution, if any. */
  findByInstitution(userId: string, institutionId: string): Promise<string | undefined>;
  get(itemId: string): Promise<PlaidItemRecord | undefined>;
  /** The user's Items, by link time (the Items as last written). */
  listForUser(userId: string): Promise<PlaidItemRecord[]>;
  /** The ids of the user's Items, by link time, without reading the Items. */
  listIdsForUser(userId: string): Promise<string[]>;
  /**
   * Writes `item` (whose `version` is the one read plus one) with all its events, only if nobody
   * wrote it since; `stale` if someone did (or it was removed).
   */
  save(item: PlaidItemRecord, events: ItemEvent[]): Promise<'saved' | 'stale'>;
  /** Adds entries to an Item's history without writing the Item. */
  addEvents(itemId: string, events: ItemEvent[]): Promise<void>;
  /** Deletes the Item and its guard; the history stays (with a TTL). */
  remove(item: PlaidItemRecord, event: ItemEvent): Promise<void>;
  /** Newest first. A cursor this store did not hand out is a VALIDATION_FAILED error. */
  listEvents(itemId: string, input: { limit: number; cursor?: string }): Promise<ItemEventPage>;
  /** Items of one shard whose next check is at or before `dueBy` (all of the shard if undefined). */
  dueItems(input: {
    shard: number;
    dueBy: Date | undefined;
    startKey?: string;
  }): Promise<{ itemIds: string[]; nextKey?: string }>;
}
