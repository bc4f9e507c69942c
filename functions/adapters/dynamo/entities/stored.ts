import type { StoredItem } from '../table';

/** The key attributes every item carries; stripped before an item becomes a record. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'expiresAt'] as const;

/**
 * The record in an item: the item without its key attributes.
 *
 * @example
 * const user = recordOf<UserRecord>(item);
 */
export function recordOf<T>(item: StoredItem): T {
  const copy: StoredItem = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete copy[attribute];
  return copy as T;
}

/** Whole epoch seconds, the unit of the table's TTL attribute `expiresAt`. */
export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** An `expiresAt` read back as an ISO time. */
export const isoOfEpoch = (seconds: unknown): string => new Date(Number(seconds ?? 0) * 1000).toISOString();
