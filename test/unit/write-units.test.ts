import { describe, expect, it } from 'vitest';
import { itemBytes, writeUnits } from '../../bench/write-units';

const item = (extra: Record<string, unknown> = {}) => ({
  pk: 'ITEM#item_1',
  sk: 'ITEM',
  gsi2pk: 'DUE#3',
  gsi2sk: '2026-03-02T10:00:00.000Z#item_1',
  status: 'healthy',
  version: 1,
  ...extra,
});

describe("The bench's write-unit rules (AWS's, for a table with gsi1 projecting ALL and gsi2 KEYS_ONLY)", () => {
  it('sizes items by attribute names plus values', () => {
    // Prepare, Act, Assess
    expect(itemBytes({ ab: 'xyz' })).toBe(5);
    expect(itemBytes({ n: 12345 })).toBe(1 + 4);
    expect(itemBytes({ m: { a: 'b' } })).toBe(1 + 3 + 2);
  });

  it('charges the larger version per KB in the table, a moved index entry twice, an unchanged one nothing', () => {
    // Prepare
    const before = item();
    const moved = item({ gsi2sk: '2026-03-03T10:00:00.000Z#item_1', version: 2 });
    const stayed = item({ version: 2 });
    const big = item({ version: 2, padding: 'x'.repeat(1100) });

    // Act, Assess
    expect(writeUnits(before, moved)).toEqual({ table: 1, indexes: { gsi1: 0, gsi2: 2 }, total: 3 });
    expect(writeUnits(before, stayed)).toEqual({ table: 1, indexes: { gsi1: 0, gsi2: 0 }, total: 1 });
    expect(writeUnits(before, big).table).toBe(2);
  });

  it('charges an index that projects ALL for any change of an entry, and a new or gone entry once', () => {
    // Prepare
    const owned = { gsi1pk: 'USER#usr_1', gsi1sk: 'ITEM#2026-03-01#item_1' };

    // Act, Assess
    expect(writeUnits(item(owned), item({ ...owned, version: 2 })).indexes.gsi1).toBe(1);
    expect(writeUnits(undefined, item(owned))).toEqual({ table: 1, indexes: { gsi1: 1, gsi2: 1 }, total: 3 });
    expect(writeUnits(item(owned), item({ version: 2 })).indexes.gsi1).toBe(1);
  });
});
