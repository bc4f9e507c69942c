/**
 * The one table's shape, written once: the CDK stack and the local runtime both build the table
 * from this. Keys are generic strings; entities put meaning into them (see `entities/`).
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds. TTL is garbage collection only: every read treats `expiresAt <= now` as absent. */
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    /** Everything that belongs to a user, by kind: profile, identities, sessions, bank links. */
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'ALL' },
    /** Bank links by next check time, in shards (`DUE#<n>`), for the poller's dispatcher. */
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', projection: 'KEYS_ONLY' },
  ],
} as const;

export type GsiName = (typeof tableDefinition.globalSecondaryIndexes)[number]['indexName'];
