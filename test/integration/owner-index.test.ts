import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { itemBytes, writeUnits } from '../../bench/write-units';
import { migrateOwnerIndex } from '../../functions/adapters/dynamo/owner-index-migration';
import { DynamoPlaidItemStore } from '../../functions/adapters/dynamo/plaid-item-store';
import { createTable, type Table } from '../../functions/adapters/dynamo/table';
import type { PlaidItemRecord } from '../../functions/domain/item-state-machine';
import { freshEnvironment } from '../support/test-runtime';
import { later, make, NOW } from './contracts/backends';

const SHARDS = 4;

/** A table of its own, its store, and a tally of the commands sent through it. */
async function fresh() {
  const { tableName, endpoint } = await freshEnvironment();
  const table = createTable({ name: tableName, endpoint });
  const sent: string[] = [];
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'ownerIndexTally' },
  );
  return { table, store: new DynamoPlaidItemStore(table, SHARDS), sent };
}

const raw = (table: Table, pk: string, sk: string) => table.get({ pk, sk });
const rawItem = (table: Table, itemId: string) => raw(table, `ITEM#${itemId}`, 'ITEM');
const rawGuard = (table: Table, item: PlaidItemRecord) =>
  raw(table, `USERINST#${item.userId}#${item.institutionId}`, 'GUARD');

const healthy = (overrides: Partial<PlaidItemRecord> = {}): PlaidItemRecord => ({
  itemId: make.id('item'),
  userId: make.id('usr'),
  institutionId: make.id('ins'),
  institutionName: 'First Platypus Bank',
  status: 'healthy',
  accessTokenCiphertext: `v1:${'x'.repeat(300)}`,
  createdAt: NOW.toISOString(),
  lastCheckedAt: NOW.toISOString(),
  lastSuccessAt: NOW.toISOString(),
  lastSyncAt: NOW.toISOString(),
  nextCheckAt: later(86400).toISOString(),
  transientFailures: 0,
  lastEventAt: NOW.toISOString(),
  webhookUrl: 'https://api.example.com/v1/plaid/webhook',
  version: 1,
  ...overrides,
});

/** The same Item checked a day later and found healthy, as the poller saves it. */
const checkedAgain = (item: PlaidItemRecord): PlaidItemRecord => ({
  ...item,
  lastCheckedAt: later(86400).toISOString(),
  lastSuccessAt: later(86400).toISOString(),
  lastEventAt: later(86400).toISOString(),
  nextCheckAt: later(2 * 86400).toISOString(),
  version: item.version + 1,
});

/** An Item and its guard as linking stored them before the owner index moved to the guard. */
async function linkTheOldWay(table: Table, item: PlaidItemRecord, guardItemId = item.itemId) {
  await table.client.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        pk: `USERINST#${item.userId}#${item.institutionId}`,
        sk: 'GUARD',
        entity: 'institutionGuard',
        itemId: guardItemId,
      },
    }),
  );
  await table.client.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        pk: `ITEM#${item.itemId}`,
        sk: 'ITEM',
        gsi1pk: `USER#${item.userId}`,
        gsi1sk: `ITEM#${item.createdAt}#${item.itemId}`,
        gsi2pk: 'DUE#0',
        gsi2sk: `${item.nextCheckAt}#${item.itemId}`,
        entity: 'plaidItem',
        ...item,
      },
    }),
  );
}

describe('The owner index on the institution guard (issue 11: cheaper healthy checks)', () => {
  let world: Awaited<ReturnType<typeof fresh>>;
  beforeAll(async () => {
    world = await fresh();
  });

  it('checks a healthy Item with one UpdateItem of the Item alone: 3 write units, not 4', async () => {
    // Prepare
    const item = healthy();
    await world.store.create({ item, event: { type: 'linked', at: item.createdAt, source: 'link' } });
    const before = await rawItem(world.table, item.itemId);
    world.sent.length = 0;

    // Act
    const outcome = await world.store.save(checkedAgain(item), []);

    // Assess
    expect(outcome).toBe('saved');
    expect(world.sent).toEqual(['UpdateItem']);
    const after = await rawItem(world.table, item.itemId);
    expect(after).not.toHaveProperty('gsi1pk');
    expect(after).not.toHaveProperty('gsi1sk');
    expect(await rawGuard(world.table, item)).toMatchObject({
      gsi1pk: `USER#${item.userId}`,
      gsi1sk: `ITEM#${item.createdAt}#${item.itemId}`,
      itemId: item.itemId,
    });
    expect(itemBytes(after ?? {})).toBeLessThanOrEqual(1024);
    expect(writeUnits(before, after)).toEqual({ table: 1, indexes: { gsi1: 0, gsi2: 2 }, total: 3 });
    // The same check with the owner index on the Item, as before: gsi1 (projecting ALL) pays too.
    const owned = { gsi1pk: `USER#${item.userId}`, gsi1sk: `ITEM#${item.createdAt}#${item.itemId}` };
    expect(writeUnits({ ...before, ...owned }, { ...after, ...owned }).total).toBe(4);
  });

  it('removes on save every optional attribute the record no longer has', async () => {
    // Prepare
    const broken = healthy({
      status: 'login_required',
      errorCode: 'ITEM_LOGIN_REQUIRED',
      errorMessage: 'the login details of this item have changed',
      repairMode: 'update',
      episode: { id: 'ep_1', startedAt: NOW.toISOString() },
      reauthEpisodesAt: [NOW.toISOString()],
    });
    await world.store.create({
      item: broken,
      event: { type: 'linked', at: broken.createdAt, source: 'link' },
    });
    const { errorCode: _c, errorMessage: _m, repairMode: _r, episode: _e, ...rest } = broken;
    const repaired: PlaidItemRecord = { ...rest, status: 'healthy', version: 2 };

    // Act
    const outcome = await world.store.save(repaired, [
      { type: 'restored', at: later(60).toISOString(), source: 'repair' },
    ]);

    // Assess
    expect(outcome).toBe('saved');
    expect(await world.store.get(broken.itemId)).toEqual(repaired);
  });

  it("lists a user's Items through their guards, as last written, by link time", async () => {
    // Prepare
    const userId = make.id('usr');
    const older = healthy({ userId, createdAt: NOW.toISOString() });
    const newer = healthy({ userId, createdAt: later(60).toISOString() });
    await world.store.create({ item: newer, event: { type: 'linked', at: newer.createdAt, source: 'link' } });
    await world.store.create({ item: older, event: { type: 'linked', at: older.createdAt, source: 'link' } });
    await world.store.save(checkedAgain(older), []);
    world.sent.length = 0;

    // Act
    const listed = await world.store.listForUser(userId);
    const ids = await world.store.listIdsForUser(userId);

    // Assess
    expect(listed).toEqual([checkedAgain(older), newer]);
    expect(ids).toEqual([older.itemId, newer.itemId]);
    expect(world.sent).toEqual(['Query', 'BatchGetItem', 'Query']);
  });
});

describe('Moving Items linked before the change (tools/migrate-owner-index.ts)', () => {
  it('keeps an old Item listed once through its checks, then moves it; a second run finds nothing to do', async () => {
    // Prepare
    const { table, store } = await fresh();
    const item = healthy();
    await linkTheOldWay(table, item);
    await store.save(checkedAgain(item), []);
    const listedBefore = await store.listForUser(item.userId);
    const dry = await migrateOwnerIndex(table, { shards: SHARDS, dryRun: true });
    const untouched = await rawItem(table, item.itemId);

    // Act
    const report = await migrateOwnerIndex(table, { shards: SHARDS });
    const again = await migrateOwnerIndex(table, { shards: SHARDS });

    // Assess
    expect(listedBefore).toEqual([checkedAgain(item)]);
    expect(dry).toEqual({ seen: 1, moved: 1, alreadyMoved: 0, guardConflicts: [], busy: [] });
    expect(untouched).toHaveProperty('gsi1pk', `USER#${item.userId}`);
    expect(report).toEqual({ seen: 1, moved: 1, alreadyMoved: 0, guardConflicts: [], busy: [] });
    expect(again).toEqual({ seen: 1, moved: 0, alreadyMoved: 1, guardConflicts: [], busy: [] });
    expect(await rawItem(table, item.itemId)).not.toHaveProperty('gsi1pk');
    expect(await rawGuard(table, item)).toMatchObject({
      gsi1pk: `USER#${item.userId}`,
      gsi1sk: `ITEM#${item.createdAt}#${item.itemId}`,
    });
    expect(await store.listForUser(item.userId)).toEqual([checkedAgain(item)]);
    expect(await store.get(item.itemId)).toEqual(checkedAgain(item));
  });

  it('leaves an Item whose guard names another Item on the index, and reports it', async () => {
    // Prepare
    const { table, store } = await fresh();
    const item = healthy();
    await linkTheOldWay(table, item, make.id('item'));

    // Act
    const report = await migrateOwnerIndex(table, { shards: SHARDS });

    // Assess
    expect(report.guardConflicts).toEqual([item.itemId]);
    expect(await rawItem(table, item.itemId)).toHaveProperty('gsi1pk');
    expect(await store.listForUser(item.userId)).toEqual([item]);
  });
});
