import type { Key, StoredItem } from '../stored-item';
import type { Transaction } from '../transaction';
import { epochSeconds } from './stored';

/**
 * How many items one time bucket of the revocation list is spread over: revocations of one
 * moment update different items (no hot item, and each write re-costs only its own item's size).
 */
export const REVOCATION_SHARDS = 4;
/** The length of a time bucket: a bucket's items take revocations for this long, then only age. */
export const REVOCATION_BUCKET_SECONDS = 300;

/**
 * The revocation list: sessions revoked recently enough that access tokens they issued may still
 * be alive. An item per shard and time bucket, `REVOKED#<shard>` / `BUCKET#<bucket>`, holding a
 * string set `entries` of `<sessionId> <until epoch seconds>`. Each entry is needed until its
 * `until` (the latest `exp` an access token of that session can carry); the item's TTL is its
 * bucket's last `until`, and readers ask only for the buckets that can still hold a live entry.
 */
export const revokedSessions = {
  key: (shard: number, bucket: number): Key => ({ pk: `REVOKED#${shard}`, sk: `BUCKET#${bucket}` }),

  /** The shard of a session: a stable hash of its id. */
  shardOf: (sessionId: string): number => {
    let hash = 0;
    for (let i = 0; i < sessionId.length; i++) hash = (hash * 31 + sessionId.charCodeAt(i)) >>> 0;
    return hash % REVOCATION_SHARDS;
  },

  bucketOf: (at: Date): number => Math.floor(epochSeconds(at) / REVOCATION_BUCKET_SECONDS),

  /**
   * Every item that may hold an entry still live at `now`, for entries that live at most
   * `entrySeconds`: the buckets from `now - entrySeconds` to one ahead of `now` (a writer whose
   * clock runs ahead of the reader's), in every shard. At most 100 keys for one BatchGetItem.
   */
  keysLiveAt: (now: Date, entrySeconds: number): Key[] => {
    const last = revokedSessions.bucketOf(now) + 1;
    const first = Math.floor((epochSeconds(now) - entrySeconds) / REVOCATION_BUCKET_SECONDS);
    const keys: Key[] = [];
    for (let bucket = first; bucket <= last; bucket++) {
      for (let shard = 0; shard < REVOCATION_SHARDS; shard++) keys.push(revokedSessions.key(shard, bucket));
    }
    return keys;
  },

  /** The live entries of items read back: session id → until (epoch seconds). */
  entriesOf: (items: StoredItem[], now: Date): Map<string, number> => {
    const live = new Map<string, number>();
    const nowSeconds = epochSeconds(now);
    for (const item of items) {
      const entries = item.entries;
      if (!(entries instanceof Set)) continue;
      for (const entry of entries as Set<string>) {
        const [sessionId, until] = String(entry).split(' ');
        const untilSeconds = Number(until);
        if (sessionId === undefined || !Number.isFinite(untilSeconds) || untilSeconds <= nowSeconds) continue;
        live.set(sessionId, Math.max(untilSeconds, live.get(sessionId) ?? 0));
      }
    }
    return live;
  },
} as const;

/**
 * Adds "these sessions are revoked until `until`" to the revocation list, as steps of `tx` (one
 * update per shard touched): the write that revokes a session carries its entry, so no session is
 * ever revoked without it. Account deletion revokes every session of a user in one transaction.
 *
 * @example
 * listRevokedSessions(tx, { sessionIds: [sessionId], now, until: addSeconds(now, entrySeconds) });
 */
export function listRevokedSessions<T extends string>(
  tx: Transaction<T>,
  input: { sessionIds: readonly string[]; now: Date; until: Date },
): Transaction<T> {
  const bucket = revokedSessions.bucketOf(input.now);
  const until = epochSeconds(input.until);
  const itemExpiresAt = (bucket + 1) * REVOCATION_BUCKET_SECONDS + (until - epochSeconds(input.now));
  const byShard = new Map<number, string[]>();
  for (const sessionId of input.sessionIds) {
    const shard = revokedSessions.shardOf(sessionId);
    byShard.set(shard, [...(byShard.get(shard) ?? []), `${sessionId} ${until}`]);
  }
  for (const [shard, entries] of byShard) {
    tx.update(revokedSessions.key(shard, bucket), {
      expression: 'SET #entity = :entity, #ttl = :ttl ADD #entries :entries',
      names: { '#entity': 'entity', '#ttl': 'expiresAt', '#entries': 'entries' },
      values: { ':entity': 'revokedSessions', ':ttl': itemExpiresAt, ':entries': new Set(entries) },
    });
  }
  return tx;
}
