import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemEvent, PlaidItemRecord } from '../../../functions/domain/item-state-machine';
import type { AlertKey } from '../../../functions/domain/ports/alert-ledger';
import { backends, later, make, NOW, SHARDS, type Stores } from './backends';

describe.each(backends)('Contract: PlaidItemStore and AlertLedger ($name)', ({ stores: build }) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await build();
  });

  const item = (overrides: Partial<PlaidItemRecord> = {}): PlaidItemRecord => ({
    itemId: make.id('item'),
    userId: make.id('usr'),
    institutionId: make.id('ins'),
    institutionName: 'First Platypus Bank',
    status: 'healthy',
    accessTokenCiphertext: 'v1:sealed',
    createdAt: NOW.toISOString(),
    nextCheckAt: later(3600).toISOString(),
    transientFailures: 0,
    version: 1,
    ...overrides,
  });
  const linked = (at = NOW): ItemEvent => ({
    type: 'linked',
    at: at.toISOString(),
    source: 'link',
    to: 'healthy',
  });
  const changed = (i: number): ItemEvent => ({
    type: 'status_changed',
    at: later(i).toISOString(),
    source: 'poll',
  });

  it('links one Item per user and institution', async () => {
    // Prepare
    const first = item();
    const second = item({ userId: first.userId, institutionId: first.institutionId });

    // Act
    const outcomes = [
      await stores.plaidItems.create({ item: first, event: linked() }),
      await stores.plaidItems.create({ item: second, event: linked() }),
    ];

    // Assess
    expect(outcomes).toEqual(['created', 'institution_taken']);
    expect(await stores.plaidItems.findByInstitution(first.userId, first.institutionId)).toBe(first.itemId);
    expect(await stores.plaidItems.get(first.itemId)).toEqual(first);
    expect(await stores.plaidItems.get(second.itemId)).toBeUndefined();
    expect(await stores.plaidItems.listForUser(first.userId)).toEqual([first]);
  });

  it('saves only over the version read, with every event, however many', async () => {
    // Prepare
    const stored = item();
    await stores.plaidItems.create({ item: stored, event: linked() });
    const events = Array.from({ length: 120 }, (_, i) => changed(i + 1));

    // Act
    const saved = await stores.plaidItems.save({ ...stored, status: 'login_required', version: 2 }, events);
    const stale = await stores.plaidItems.save({ ...stored, status: 'healthy', version: 2 }, []);
    const quiet = await stores.plaidItems.save(
      { ...stored, status: 'login_required', lastCheckedAt: later(200).toISOString(), version: 3 },
      [],
    );

    // Assess
    expect([saved, stale, quiet]).toEqual(['saved', 'stale', 'saved']);
    expect(await stores.plaidItems.get(stored.itemId)).toMatchObject({
      status: 'login_required',
      version: 3,
    });
    const history: ItemEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await stores.plaidItems.listEvents(stored.itemId, {
        limit: 50,
        ...(cursor ? { cursor } : {}),
      });
      history.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(history).toHaveLength(121);
    expect(history[0]).toEqual(changed(120));
    expect(history.at(-1)).toEqual(linked());
  });

  it('answers stale for an Item that was removed, and keeps its history after removal', async () => {
    // Prepare
    const stored = item();
    await stores.plaidItems.create({ item: stored, event: linked() });

    // Act
    await stores.plaidItems.remove(stored, { type: 'removed', at: later(5).toISOString(), source: 'link' });

    // Assess
    expect(await stores.plaidItems.save({ ...stored, version: 2 }, [changed(6)])).toBe('stale');
    expect(await stores.plaidItems.get(stored.itemId)).toBeUndefined();
    expect(await stores.plaidItems.findByInstitution(stored.userId, stored.institutionId)).toBeUndefined();
    expect(
      (await stores.plaidItems.listEvents(stored.itemId, { limit: 10 })).events.map((e) => e.type),
    ).toEqual(['removed', 'linked']);
    expect(
      await stores.plaidItems.create({ item: { ...stored, itemId: make.id('item') }, event: linked() }),
    ).toBe('created');
  });

  it('finds due Items through the sharded index, each in exactly one shard', async () => {
    // Prepare
    const due = [item({ nextCheckAt: later(-60).toISOString() }), item({ nextCheckAt: NOW.toISOString() })];
    const notDue = item({ nextCheckAt: later(60).toISOString() });
    for (const i of [...due, notDue]) await stores.plaidItems.create({ item: i, event: linked() });
    const mine = new Set([...due, notDue].map((i) => i.itemId));

    // Act
    const found: string[] = [];
    const all: string[] = [];
    for (let shard = 0; shard < SHARDS; shard++) {
      found.push(
        ...(await stores.plaidItems.dueItems({ shard, dueBy: NOW })).itemIds.filter((id) => mine.has(id)),
      );
      all.push(
        ...(await stores.plaidItems.dueItems({ shard, dueBy: undefined })).itemIds.filter((id) =>
          mine.has(id),
        ),
      );
    }

    // Assess
    expect(found.sort()).toEqual(due.map((i) => i.itemId).sort());
    expect(all.sort()).toEqual([...mine].sort());
  });

  it('refuses a cursor it did not hand out (VALIDATION_FAILED)', async () => {
    await expect(
      stores.plaidItems.listEvents(make.id('item'), { limit: 5, cursor: 'bm9wZQ' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  describe('the alert ledger', () => {
    const keyOf = (itemId: string, step: AlertKey['step'] = 'alert'): AlertKey => ({
      itemId,
      episodeId: make.id('eps'),
      step,
      channel: 'topic',
    });
    const sent = (step: string): ItemEvent => ({
      type: 'alert_sent',
      at: later(30).toISOString(),
      step,
      detail: 'topic',
    });

    it('lets one claimant send; a claim completed by another claimant is lost', async () => {
      // Prepare
      const stored = item();
      await stores.plaidItems.create({ item: stored, event: linked() });
      const key = keyOf(stored.itemId);
      const claim = (claimId: string, at: Date) =>
        stores.alertLedger.claim(key, { claimId, now: at, staleBefore: new Date(at.getTime() - 600_000) });

      // Act
      const first = await claim('clm_1', NOW);
      const second = await claim('clm_2', later(1));
      const lost = await stores.alertLedger.complete(key, { claimId: 'clm_2', event: sent('alert') });
      const steps = await stores.alertLedger.stepsOf({ ...key, staleBefore: later(-600) });
      const completed = await stores.alertLedger.complete(key, { claimId: 'clm_1', event: sent('alert') });

      // Assess
      expect([first, second, lost, completed]).toEqual([true, false, 'lost', 'completed']);
      expect(steps).toEqual(['alert']);
      expect(await claim('clm_3', later(3600))).toBe(false);
      const history = await stores.plaidItems.listEvents(stored.itemId, { limit: 10 });
      expect(history.events.filter((e) => e.type === 'alert_sent')).toHaveLength(1);
    });

    it('lets a stale claim be taken over, and a released claim be claimed again', async () => {
      const key = keyOf(make.id('item'));
      expect(await stores.alertLedger.claim(key, { claimId: 'a', now: NOW, staleBefore: later(-600) })).toBe(
        true,
      );
      expect(await stores.alertLedger.stepsOf({ ...key, staleBefore: later(1) })).toEqual([]);
      expect(
        await stores.alertLedger.claim(key, { claimId: 'b', now: later(700), staleBefore: later(100) }),
      ).toBe(true);
      await stores.alertLedger.release(key, { claimId: 'a' });
      expect(
        await stores.alertLedger.claim(key, { claimId: 'c', now: later(701), staleBefore: later(101) }),
      ).toBe(false);
      await stores.alertLedger.release(key, { claimId: 'b' });
      expect(
        await stores.alertLedger.claim(key, { claimId: 'c', now: later(702), staleBefore: later(102) }),
      ).toBe(true);
    });

    it('clears the Item’s restored marker when the restored message is completed', async () => {
      const stored = item({ restoredEpisodeId: 'eps_old' });
      await stores.plaidItems.create({ item: stored, event: linked() });
      const key = { ...keyOf(stored.itemId, 'restored'), episodeId: 'eps_old' };
      await stores.alertLedger.claim(key, { claimId: 'r', now: NOW, staleBefore: later(-600) });
      expect(await stores.alertLedger.complete(key, { claimId: 'r', event: sent('restored') })).toBe(
        'completed',
      );
      expect((await stores.plaidItems.get(stored.itemId))?.restoredEpisodeId).toBeUndefined();
    });
  });
});
