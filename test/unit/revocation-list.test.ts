import { describe, expect, it } from 'vitest';
import {
  listRevokedSessions,
  REVOCATION_BUCKET_SECONDS,
  REVOCATION_SHARDS,
  revokedSessions,
} from '../../functions/adapters/dynamo/entities/revoked-session';
import { RevocationListCache, type RevocationListRead } from '../../functions/adapters/revocation-list';
import { ManualClock } from '../support/manual-clock';

const ENTRY_SECONDS = 930;

/** A list read that counts its calls and can be made to fail. */
function readable(initial: Record<string, number> = {}) {
  const state = { entries: new Map(Object.entries(initial)), reads: 0, failing: false };
  const read: RevocationListRead = async () => {
    state.reads++;
    if (state.failing) throw new Error('DynamoDB is unreachable');
    return new Map(state.entries);
  };
  return { state, read };
}
const epoch = (clock: ManualClock, plusSeconds: number) =>
  Math.floor(clock.now().getTime() / 1000) + plusSeconds;

describe('RevocationListCache: the authorizer container reads the list at most every 15 s', () => {
  it('reads once for any number of requests within the interval, never per request', async () => {
    // Prepare
    const clock = new ManualClock();
    const { state, read } = readable();
    const list = new RevocationListCache(read, { refreshSeconds: 15 });

    // Act: 1,000 requests spread over 14.9 s, some at once.
    await Promise.all(Array.from({ length: 10 }, () => list.isRevoked('s', clock.now())));
    for (let i = 0; i < 990; i++) {
      clock.advance(0.015);
      await list.isRevoked('s', clock.now());
    }

    // Assess
    expect(state.reads).toBe(1);
    clock.advance(0.2);
    await list.isRevoked('s', clock.now());
    expect(state.reads).toBe(2);
  });

  it('accepts a revoked session until its copy is due, refuses it from then on (worst case 15 s)', async () => {
    // Prepare: the container read the list a moment before the revocation.
    const clock = new ManualClock();
    const { state, read } = readable();
    const list = new RevocationListCache(read, { refreshSeconds: 15 });
    expect(await list.isRevoked('victim', clock.now())).toBe(false);

    // Act
    state.entries.set('victim', epoch(clock, ENTRY_SECONDS));
    clock.advance(14.999);
    const stillAccepted = await list.isRevoked('victim', clock.now());
    clock.advance(0.001);
    const refused = await list.isRevoked('victim', clock.now());

    // Assess
    expect(stillAccepted).toBe(false);
    expect(refused).toBe(true);
  });

  it('forgets an entry once its until has passed (no access token of the session can be alive)', async () => {
    // Prepare
    const clock = new ManualClock();
    const { read } = readable({ old: epoch(clock, 10) });
    const list = new RevocationListCache(read, { refreshSeconds: 15 });

    // Act + Assess
    expect(await list.isRevoked('old', clock.now())).toBe(true);
    clock.advance(10);
    expect(await list.isRevoked('old', clock.now())).toBe(false);
  });

  it('fails open on a failed read: keeps the last copy, reports the failure, retries a second later', async () => {
    // Prepare
    const clock = new ManualClock();
    const { state, read } = readable({ known: epoch(clock, ENTRY_SECONDS) });
    const failures: unknown[] = [];
    const list = new RevocationListCache(read, {
      refreshSeconds: 15,
      retrySeconds: 1,
      onReadFailed: (error) => failures.push(error),
    });
    await list.isRevoked('x', clock.now());
    state.failing = true;
    state.entries.set('later', epoch(clock, ENTRY_SECONDS));

    // Act
    clock.advance(15);
    const knownStillRefused = await list.isRevoked('known', clock.now());
    const laterNotYetKnown = await list.isRevoked('later', clock.now());
    const readsAfterFailure = state.reads;
    clock.advance(0.5);
    await list.isRevoked('later', clock.now());
    const readsWithinRetry = state.reads;
    state.failing = false;
    clock.advance(0.5);
    const laterRefused = await list.isRevoked('later', clock.now());

    // Assess
    expect(knownStillRefused).toBe(true);
    expect(laterNotYetKnown).toBe(false);
    expect(failures).toHaveLength(1);
    expect(readsWithinRetry).toBe(readsAfterFailure);
    expect(laterRefused).toBe(true);
  });
});

describe('Revocation list items', () => {
  it('names every item that can hold a live entry, and no more than one BatchGetItem can read', () => {
    // Prepare
    const now = new Date('2026-03-01T10:04:59.000Z');

    // Act
    const keys = revokedSessions.keysLiveAt(now, ENTRY_SECONDS);

    // Assess: the bucket of an entry written ENTRY_SECONDS ago, the current one and the next.
    const written = new Date(now.getTime() - ENTRY_SECONDS * 1000);
    const buckets = new Set(keys.map((k) => k.sk));
    expect(buckets).toContain(`BUCKET#${revokedSessions.bucketOf(written)}`);
    expect(buckets).toContain(`BUCKET#${revokedSessions.bucketOf(now) + 1}`);
    expect(keys.length).toBe(buckets.size * REVOCATION_SHARDS);
    expect(keys.length).toBeLessThanOrEqual(100);
    expect(revokedSessions.keysLiveAt(now, 3630).length).toBeLessThanOrEqual(100);
  });

  it('writes one update per shard, with the item kept until its last entry can matter', () => {
    // Prepare
    const steps: { key: unknown; values: Record<string, unknown> }[] = [];
    const tx = {
      update: (key: unknown, update: { values: Record<string, unknown> }) => {
        steps.push({ key, values: update.values });
        return tx;
      },
    };
    const now = new Date('2026-03-01T10:00:00.000Z');
    const ids = Array.from({ length: 20 }, (_, i) => `session-${i}`);

    // Act
    listRevokedSessions(tx as never, {
      sessionIds: ids,
      now,
      until: new Date(now.getTime() + ENTRY_SECONDS * 1000),
    });

    // Assess
    expect(steps.length).toBeLessThanOrEqual(REVOCATION_SHARDS);
    const written = steps.flatMap((s) => [...(s.values[':entries'] as Set<string>)]);
    expect(written.map((e) => e.split(' ')[0]).sort()).toEqual([...ids].sort());
    const bucketEnd = (revokedSessions.bucketOf(now) + 1) * REVOCATION_BUCKET_SECONDS;
    for (const step of steps) expect(step.values[':ttl']).toBe(bucketEnd + ENTRY_SECONDS);
  });
});
