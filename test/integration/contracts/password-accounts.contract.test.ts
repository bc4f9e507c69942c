import { beforeAll, describe, expect, it } from 'vitest';
import type { LockoutPolicy } from '../../../functions/domain/lockout-policy';
import { backends, later, make, NOW, type Stores } from './backends';

const policy: LockoutPolicy = { maxFailures: 3, windowSeconds: 900, lockSeconds: 600 };

describe.each(backends)('Contract: PasswordAccountStore and UserDirectory ($name)', ({ stores: build }) => {
  let stores: Stores;
  beforeAll(async () => {
    stores = await build();
  });

  const reserve = (username: string, at: Date) =>
    stores.accounts.reserveAttempt(username, { now: at, ...policy });

  async function account(passwordHash = 'hash-1') {
    const user = make.user(NOW);
    const identity = make.identity(user, 'password', make.id('alice'), passwordHash);
    const session = make.session(user.id, NOW);
    const created = await stores.accounts.createAccount({
      user,
      identity,
      session,
      event: make.event(user.id, 'account.registered', NOW),
    });
    return { user, identity, session, created };
  }

  it('creates an account once per username, and the directory shows it without the hash', async () => {
    // Prepare + Act
    const { user, identity, created } = await account();
    const again = await stores.accounts.createAccount({
      user: make.user(NOW),
      identity: { ...identity, userId: 'usr_other' },
      session: make.session('usr_other', NOW),
      event: make.event('usr_other', 'account.registered', NOW),
    });

    // Assess
    expect(created).toBe('created');
    expect(again).toBe('username_taken');
    const found = await stores.users.getUser(user.id);
    expect(found?.user).toMatchObject({ id: user.id, identityCount: 1 });
    const { passwordHash: _hidden, ...shown } = identity;
    expect(found?.identities).toEqual([shown]);
    expect(await stores.sessions.listForUser(user.id)).toHaveLength(1);
    const reserved = await reserve(identity.subject, NOW);
    expect(reserved).toMatchObject({
      outcome: 'counted',
      identity: { userId: user.id, passwordHash: 'hash-1' },
    });
  });

  it('keeps the counter out of the identity: the directory and the reservation show none of it', async () => {
    // Prepare
    const { user, identity } = await account();
    await reserve(identity.subject, NOW);

    // Act
    const second = await reserve(identity.subject, later(1));
    const found = await stores.users.getUser(user.id);

    // Assess
    const { passwordHash: _hidden, ...shown } = identity;
    expect(found?.identities).toEqual([shown]);
    expect(second.outcome === 'counted' && second.identity).toEqual(identity);
  });

  it('counts and locks a username with no account like one with an account, without creating it', async () => {
    // Prepare
    const username = make.id('nobody');

    // Act
    const outcomes = [];
    for (let i = 0; i < policy.maxFailures + 1; i++) outcomes.push(await reserve(username, later(i)));

    // Assess
    expect(outcomes.map((o) => [o.outcome, o.record.failures])).toEqual([
      ['counted', 1],
      ['counted', 2],
      ['counted', 3],
      ['already_locked', 3],
    ]);
    expect(outcomes[0]).toMatchObject({ identity: undefined });
    const created = await stores.accounts.createAccount({
      user: make.user(NOW),
      identity: { ...make.identity(make.user(NOW), 'password', username, 'hash'), userId: 'usr_new' },
      session: make.session('usr_new', NOW),
      event: make.event('usr_new', 'account.registered', NOW),
    });
    expect(created).toBe('created');
  });

  it('counts failures up to the limit and never past it, then refuses the next as already locked', async () => {
    // Prepare
    const { identity } = await account();
    const count = (at: Date) => reserve(identity.subject, at);

    // Act
    const first = await count(NOW);
    const second = await count(later(1));
    const third = await count(later(2));
    const fourth = await count(later(3));

    // Assess
    expect([first, second, third].map((c) => [c.outcome, c.record.failures])).toEqual([
      ['counted', 1],
      ['counted', 2],
      ['counted', 3],
    ]);
    expect(fourth).toMatchObject({ outcome: 'already_locked', record: { failures: 3 } });
  });

  it('starts a new window once the lock has run out, and once a window has closed', async () => {
    const { identity } = await account();
    for (let i = 0; i < 3; i++) await reserve(identity.subject, later(i));
    const afterLock = await reserve(identity.subject, later(700));
    const inWindow = await reserve(identity.subject, later(701));
    const afterWindow = await reserve(identity.subject, later(700 + policy.windowSeconds + 1));
    expect(afterLock).toMatchObject({ outcome: 'counted', record: { failures: 1 } });
    expect(inWindow).toMatchObject({ outcome: 'counted', record: { failures: 2 } });
    expect(afterWindow).toMatchObject({ outcome: 'counted', record: { failures: 1 } });
  });

  it('clears the counter when a login completes, with the session stored', async () => {
    // Prepare
    const { user, identity } = await account();
    const reserved = await reserve(identity.subject, NOW);
    const session = make.session(user.id, later(5));

    // Act
    const outcome = await stores.accounts.completeLogin({
      username: identity.subject,
      session,
      event: make.event(user.id, 'login.succeeded', later(5)),
      reserved: reserved.record.failures,
      maxFailures: policy.maxFailures,
    });

    // Assess
    expect(outcome).toBe('completed');
    expect(await reserve(identity.subject, later(6))).toMatchObject({ record: { failures: 1 } });
    expect((await stores.sessions.listForUser(user.id)).map((s) => s.id)).toContain(session.id);
  });

  it('refuses to complete a login when others set the lock after its reservation, writing nothing', async () => {
    // Prepare: this attempt reserved the first slot, then four others spent the allowance.
    const { user, identity } = await account();
    const mine = await reserve(identity.subject, NOW);
    for (let i = 0; i < policy.maxFailures - 1; i++) await reserve(identity.subject, NOW);
    const session = make.session(user.id, later(5));

    // Act
    const outcome = await stores.accounts.completeLogin({
      username: identity.subject,
      session,
      event: make.event(user.id, 'login.succeeded', later(5)),
      reserved: mine.record.failures,
      maxFailures: policy.maxFailures,
    });

    // Assess
    expect(outcome).toBe('locked');
    expect(await reserve(identity.subject, later(6))).toMatchObject({
      outcome: 'already_locked',
      record: { failures: policy.maxFailures },
    });
    expect((await stores.sessions.listForUser(user.id)).map((s) => s.id)).not.toContain(session.id);
  });

  it('clears the counter after a re-authentication unless others set the lock since its reservation', async () => {
    // Prepare: one account whose attempt reserved the first slot; another whose attempt reserved
    // the first of five (the others spent the allowance meanwhile).
    const clean = await account();
    const cleanSlot = await reserve(clean.identity.subject, NOW);
    const raced = await account();
    const racedSlot = await reserve(raced.identity.subject, NOW);
    for (let i = 0; i < policy.maxFailures - 1; i++) await reserve(raced.identity.subject, NOW);
    const clear = (username: string, reserved: number) =>
      stores.accounts.clearFailures({ username, reserved, maxFailures: policy.maxFailures });

    // Act + Assess
    expect(await clear(clean.identity.subject, cleanSlot.record.failures)).toBe('cleared');
    expect(await reserve(clean.identity.subject, later(1))).toMatchObject({ record: { failures: 1 } });
    expect(await clear(raced.identity.subject, racedSlot.record.failures)).toBe('locked');
    expect(await reserve(raced.identity.subject, later(1))).toMatchObject({
      outcome: 'already_locked',
      record: { failures: policy.maxFailures },
    });
  });

  it('completes the login whose own reservation reached the limit', async () => {
    // Prepare
    const { user, identity } = await account();
    let last = await reserve(identity.subject, NOW);
    for (let i = 0; i < policy.maxFailures - 1; i++) last = await reserve(identity.subject, NOW);

    // Act
    const outcome = await stores.accounts.completeLogin({
      username: identity.subject,
      session: make.session(user.id, later(5)),
      event: make.event(user.id, 'login.succeeded', later(5)),
      reserved: last.record.failures,
      maxFailures: policy.maxFailures,
    });

    // Assess
    expect(last.record.failures).toBe(policy.maxFailures);
    expect(outcome).toBe('completed');
    expect(await reserve(identity.subject, later(6))).toMatchObject({ record: { failures: 1 } });
  });

  it('adds a password to a user once per username, counting the way in', async () => {
    // Prepare
    const { user: taken } = await account();
    const owner = make.user(NOW);
    await stores.socialIdentities.createUserWithIdentity({
      user: owner,
      identity: make.identity(owner, 'google', make.id('sub')),
      event: make.event(owner.id, 'account.registered', NOW),
    });
    const takenName = (await stores.users.getUser(taken.id))?.identities[0]?.subject as string;

    // Act
    const added = await stores.accounts.addPassword({
      identity: make.identity(owner, 'password', make.id('bob'), 'hash-b'),
      event: make.event(owner.id, 'password.set', NOW),
    });
    const refused = await stores.accounts.addPassword({
      identity: make.identity(owner, 'password', takenName, 'hash-c'),
      event: make.event(owner.id, 'password.set', NOW),
    });

    // Assess
    expect([added, refused]).toEqual(['added', 'username_taken']);
    expect((await stores.users.getUser(owner.id))?.user.identityCount).toBe(2);
  });

  it('adds one username per user: racing adds of different usernames give one (type_taken)', async () => {
    // Prepare
    const owner = make.user(NOW);
    await stores.socialIdentities.createUserWithIdentity({
      user: owner,
      identity: make.identity(owner, 'google', make.id('sub')),
      event: make.event(owner.id, 'account.registered', NOW),
    });

    // Act
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        stores.accounts.addPassword({
          identity: make.identity(owner, 'password', make.id('user'), 'hash'),
          event: make.event(owner.id, 'password.set', NOW),
        }),
      ),
    );

    // Assess
    expect(results.filter((r) => r === 'added')).toHaveLength(1);
    expect(results.filter((r) => r === 'type_taken')).toHaveLength(4);
    const found = await stores.users.getUser(owner.id);
    expect(found?.identities.filter((i) => i.type === 'password')).toHaveLength(1);
    expect(found?.user.identityCount).toBe(2);
  });

  it('changes the hash of a username that is still the user’s, and refuses one that is not (NOT_FOUND)', async () => {
    const { user, identity } = await account();
    await stores.accounts.changePassword({
      identity,
      passwordHash: 'hash-2',
      event: make.event(user.id, 'password.changed', NOW),
    });
    expect(await reserve(identity.subject, NOW)).toMatchObject({ identity: { passwordHash: 'hash-2' } });
    await expect(
      stores.accounts.changePassword({
        identity: { ...identity, userId: 'usr_someone_else' },
        passwordHash: 'hash-3',
        event: make.event('usr_someone_else', 'password.changed', NOW),
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
