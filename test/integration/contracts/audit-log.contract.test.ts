import { beforeAll, describe, expect, it } from 'vitest';
import { backends, later, make, NOW, RETENTION_SECONDS, type Stores } from './backends';

describe.each(backends)('Contract: AuditLog ($name)', ({ stores: build }) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await build();
  });

  it('lists a user’s events newest first, a page at a time, by cursor', async () => {
    // Prepare
    const userId = make.id('usr');
    const events = [0, 1, 2, 3, 4].map((i) => make.event(userId, 'login.succeeded', later(i)));
    for (const event of events) await stores.audit.append(event);
    await stores.audit.append(make.event(make.id('usr'), 'login.succeeded', later(9)));

    // Act
    const first = await stores.audit.list(userId, { limit: 2, now: later(10) });
    const second = await stores.audit.list(userId, {
      limit: 2,
      now: later(10),
      cursor: first.nextCursor as string,
    });
    const third = await stores.audit.list(userId, {
      limit: 2,
      now: later(10),
      cursor: second.nextCursor as string,
    });

    // Assess
    expect([...first.events, ...second.events, ...third.events].map((e) => e.id)).toEqual(
      events.map((e) => e.id).reverse(),
    );
    expect(first.events[0]).toEqual(events[4]);
  });

  it('leaves out events past their retention', async () => {
    const userId = make.id('usr');
    const old = make.event(userId, 'login.succeeded', NOW);
    const recent = make.event(userId, 'login.failed', later(RETENTION_SECONDS - 10));
    await stores.audit.append(old);
    await stores.audit.append(recent);
    const page = await stores.audit.list(userId, { limit: 25, now: later(RETENTION_SECONDS + 1) });
    expect(page.events).toEqual([recent]);
  });

  it('refuses a cursor it did not hand out (VALIDATION_FAILED)', async () => {
    await expect(
      stores.audit.list(make.id('usr'), { limit: 2, now: NOW, cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});
