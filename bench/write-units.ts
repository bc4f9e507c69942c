import { tableDefinition } from '../functions/adapters/dynamo/table-definition';

/**
 * What a write costs in DynamoDB write request units, by AWS's published rules, from the item as
 * stored before and after it: the table pays 1 unit per KB (rounded up) of the larger of the two
 * versions; each global secondary index whose entry appears, disappears or changes pays too: an
 * entry put or deleted costs its size in KB (rounded up), one whose index key changes costs a
 * delete and a put, one whose projected attributes change costs one put, and one that does not
 * change costs nothing. DynamoDB Local does not report capacity, so the bench computes it.
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html, "Provisioned
 * throughput considerations for global secondary indexes", and "Item sizes and formats".)
 */

type Stored = Record<string, unknown>;

/** An attribute value's size by DynamoDB's rules (strings in UTF-8 bytes, numbers ~ digits / 2 + 1). */
function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object') return 3 + itemBytes(value as Stored);
  return 0;
}

/** An item's size by DynamoDB's rules: attribute names plus values. */
export function itemBytes(item: Stored): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name, 'utf8') + valueBytes(value);
  }
  return bytes;
}

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** An item's entry in an index: undefined when it lacks the index's keys. */
function indexEntry(
  item: Stored | undefined,
  gsi: (typeof tableDefinition.globalSecondaryIndexes)[number],
): Stored | undefined {
  if (item === undefined || item[gsi.partitionKey] === undefined || item[gsi.sortKey] === undefined)
    return undefined;
  if (gsi.projection === 'ALL') return item;
  const keys = [tableDefinition.partitionKey, tableDefinition.sortKey, gsi.partitionKey, gsi.sortKey];
  return Object.fromEntries(keys.map((k) => [k, item[k]]));
}

const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Stored)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, sorted(v)]),
    );
  return value;
}

/** Write units of one write that turned `before` into `after` (either undefined: absent), by place. */
export function writeUnits(
  before: Stored | undefined,
  after: Stored | undefined,
): {
  table: number;
  indexes: Record<string, number>;
  total: number;
} {
  const table = Math.max(
    before === undefined ? 0 : units(itemBytes(before)),
    after === undefined ? 0 : units(itemBytes(after)),
  );
  const indexes: Record<string, number> = {};
  for (const gsi of tableDefinition.globalSecondaryIndexes) {
    const old = indexEntry(before, gsi);
    const next = indexEntry(after, gsi);
    let cost = 0;
    if (old === undefined && next !== undefined) cost = units(itemBytes(next));
    else if (old !== undefined && next === undefined) cost = units(itemBytes(old));
    else if (old !== undefined && next !== undefined) {
      const moved =
        old[gsi.partitionKey] !== next[gsi.partitionKey] || old[gsi.sortKey] !== next[gsi.sortKey];
      if (moved) cost = units(itemBytes(old)) + units(itemBytes(next));
      else if (!same(old, next)) cost = units(Math.max(itemBytes(old), itemBytes(next)));
    }
    indexes[gsi.indexName] = cost;
  }
  return { table, indexes, total: table + Object.values(indexes).reduce((a, b) => a + b, 0) };
}
