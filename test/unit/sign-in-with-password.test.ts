import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LockoutPolicy } from '../../functions/domain/lockout-policy';
import { signInWithPassword } from '../../functions/domain/sign-in-with-password';
import {
  FakeAccessTokenSigner,
  FakePasswordHasher,
  inMemoryStores,
  ManualClock,
  SequentialTokenCrypto,
} from '../fakes';
import { lockoutPolicy, sessionPolicy } from '../support/policies';

const client = { ip: '203.0.113.9' };

function prepare(policy: LockoutPolicy = lockoutPolicy) {
  const clock = new ManualClock();
  const stores = inMemoryStores();
  const hasher = new FakePasswordHasher();
  const signer = new FakeAccessTokenSigner();
  const signals = { lockedOut: 0, unknownUsername: 0, refreshTokenReused: 0 };
  const countSignals = {
    lockedOut: () => void signals.lockedOut++,
    unknownUsername: () => void signals.unknownUsername++,
    refreshTokenReused: () => void signals.refreshTokenReused++,
  };
  stores.users.add(
    {
      id: 'usr_alice',
      displayName: 'Alice',
      emailConfirmed: false,
      notifications: { sms: true, email: true },
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    [
      {
        type: 'password',
        subject: 'alice',
        userId: 'usr_alice',
        label: 'al***',
        linkedAt: '2026-01-01T00:00:00.000Z',
        passwordHash: 'hashed:correct horse battery',
      },
    ],
  );
  const signIn = signInWithPassword({
    clock,
    crypto: new SequentialTokenCrypto(),
    hasher,
    accounts: stores.accounts,
    users: stores.users,
    audit: stores.audit,
    signer,
    lockoutPolicy: policy,
    sessionPolicy,
    signals: countSignals,
  });
  const outcome = (username: string, password: string) =>
    signIn({ username, password }, client).then(
      () => 'ok',
      (error: { code?: string }) => error.code ?? 'no code',
    );
  return { clock, stores, hasher, signer, signIn, outcome, signals };
}

describe('Use case: signInWithPassword', () => {
  let t: ReturnType<typeof prepare>;
  const events = () => t.stores.table.auditEvents.map(({ event }) => event);

  beforeEach(() => {
    t = prepare();
  });

  describe('the right password', () => {
    it('starts a session, records the sign-in and clears earlier failures', async () => {
      // Prepare
      await t.outcome('alice', 'wrong one');

      // Act
      const grant = await t.signIn({ username: ' ALICE ', password: 'correct horse battery' }, client);

      // Assess
      const session = [...t.stores.table.sessions.values()].find((s) => s.userId === 'usr_alice');
      expect(session).toMatchObject({ ip: client.ip, createdAt: t.clock.now().toISOString() });
      expect(grant).toMatchObject({
        accessToken: `access:usr_alice:${session?.id}`,
        user: { id: 'usr_alice', identities: [{ type: 'password', label: 'al***' }] },
      });
      expect(JSON.stringify(grant.user)).not.toContain('hashed:');
      expect(t.stores.table.loginFailures.has('alice')).toBe(false);
      expect(events().at(-1)).toMatchObject({
        type: 'login.succeeded',
        sessionId: session?.id,
        detail: { method: 'password' },
      });
    });
  });

  describe('a wrong password', () => {
    it('is INVALID_CREDENTIALS, counted and recorded as login.failed', async () => {
      // Act
      const code = await t.outcome('alice', 'wrong one');

      // Assess
      expect(code).toBe('INVALID_CREDENTIALS');
      expect(t.stores.table.loginFailures.get('alice')?.failures).toBe(1);
      expect(events()).toEqual([
        expect.objectContaining({
          userId: 'usr_alice',
          type: 'login.failed',
          detail: { method: 'password', failures: 1 },
        }),
      ]);
      expect(t.stores.table.sessions.size).toBe(0);
    });

    it('locks the username at the fifth failure: login.locked once, then ACCOUNT_LOCKED with Retry-After', async () => {
      // Prepare
      for (let i = 0; i < 4; i++) await t.outcome('alice', `wrong ${i}`);

      // Act
      const fifth = await t.outcome('alice', 'wrong 5');
      t.clock.advance(60);
      const rightButLocked = t.signIn({ username: 'alice', password: 'correct horse battery' }, client);

      // Assess
      expect(fifth).toBe('INVALID_CREDENTIALS');
      await expect(rightButLocked).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED', retryAfterSeconds: 840 });
      expect(events().map((e) => e.type)).toEqual([
        'login.failed',
        'login.failed',
        'login.failed',
        'login.failed',
        'login.locked',
      ]);
      expect(t.hasher.calls.verify).toBe(5);
    });

    it('counts failures over the whole window, even ones further apart than the lock lasts', async () => {
      // Prepare: three failures lock; the window is an hour, the lock a minute.
      t = prepare({ maxFailures: 3, windowSeconds: 3600, lockSeconds: 60 });
      await t.outcome('alice', 'wrong 1');
      t.clock.advance(100);
      await t.outcome('alice', 'wrong 2');
      t.clock.advance(100);

      // Act
      const third = await t.outcome('alice', 'wrong 3');
      t.clock.advance(10);
      const afterwards = await t.outcome('alice', 'correct horse battery');

      // Assess
      expect(third).toBe('INVALID_CREDENTIALS');
      expect(afterwards).toBe('ACCOUNT_LOCKED');
      expect(events().map((e) => e.type)).toEqual(['login.failed', 'login.failed', 'login.locked']);
    });

    it('counts parallel wrong passwords up to the limit and never past it', async () => {
      // Act
      const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => t.outcome('alice', `wrong ${i}`)));

      // Assess
      expect(t.stores.table.loginFailures.get('alice')?.failures).toBe(5);
      expect(codes.filter((c) => c === 'INVALID_CREDENTIALS').length).toBeGreaterThanOrEqual(5);
      expect(codes.every((c) => c === 'INVALID_CREDENTIALS' || c === 'ACCOUNT_LOCKED')).toBe(true);
      expect(events().filter((e) => e.type === 'login.locked')).toHaveLength(1);
    });

    it.each([10, 25, 45, 49])(
      'checks at most the allowance of 50 parallel guesses, the right one at position %i never signing in',
      async (position) => {
        // Act
        const codes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            t.outcome('alice', i + 1 === position ? 'correct horse battery' : `wrong ${i}`),
          ),
        );

        // Assess
        expect(t.hasher.calls.verify).toBeLessThanOrEqual(5);
        expect(codes[position - 1]).toBe('ACCOUNT_LOCKED');
        expect(codes.filter((c) => c === 'INVALID_CREDENTIALS').length).toBe(t.hasher.calls.verify);
        expect(t.stores.table.loginFailures.get('alice')?.failures).toBe(5);
      },
    );

    it('is ACCOUNT_LOCKED when others spend the allowance while it is verified, and starts no session', async () => {
      // Prepare: the right password's verify waits until four wrong ones have locked the username.
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const verify = t.hasher.verify.bind(t.hasher);
      t.hasher.verify = async (hash, password) => {
        if (password === 'correct horse battery') await gate;
        return verify(hash, password);
      };

      // Act
      const right = t.outcome('alice', 'correct horse battery');
      const wrong = await Promise.all(Array.from({ length: 4 }, (_, i) => t.outcome('alice', `wrong ${i}`)));
      release();

      // Assess
      expect(wrong).toEqual(Array(4).fill('INVALID_CREDENTIALS'));
      expect(await right).toBe('ACCOUNT_LOCKED');
      expect(t.stores.table.sessions.size).toBe(0);
      expect(t.stores.table.loginFailures.get('alice')?.failures).toBe(5);
    });

    it('lets the right password in when its own reservation is the last of the allowance', async () => {
      // Prepare
      for (let i = 0; i < 4; i++) await t.outcome('alice', `wrong ${i}`);

      // Act
      const code = await t.outcome('alice', 'correct horse battery');

      // Assess
      expect(code).toBe('ok');
      expect(t.stores.table.loginFailures.get('alice')).toBeUndefined();
    });

    it('lets the right password in once the lock has run out', async () => {
      // Prepare
      for (let i = 0; i < 5; i++) await t.outcome('alice', `wrong ${i}`);
      t.clock.advance(900);

      // Act
      const code = await t.outcome('alice', 'correct horse battery');

      // Assess
      expect(code).toBe('ok');
    });
  });

  describe('an unknown username', () => {
    it('is refused exactly like a wrong password: same code, a dummy verify, counted and locked alike', async () => {
      // Act
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) codes.push(await t.outcome('mallory', `guess ${i}`));

      // Assess
      expect(codes).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'ACCOUNT_LOCKED']);
      expect(t.hasher.calls).toMatchObject({ verify: 0, dummy: 5 });
      expect(t.signals).toMatchObject({ unknownUsername: 5, lockedOut: 1 });
      expect(t.stores.table.loginFailures.get('mallory')?.failures).toBe(5);
      expect(events()).toEqual([]);
    });
  });
});

/** One sign-in attempt: which username, right or wrong, after how long. */
const attempt = fc.record({
  gapSeconds: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.noBias(fc.integer({ min: 0, max: 2000 }))),
  username: fc.constantFrom('alice', 'mallory'),
  right: fc.boolean(),
});

describe('Property: password lockout, through the use case', () => {
  it('follows the lockout rules for any sequence of attempts, and never tells known from unknown usernames', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxFailures: fc.integer({ min: 1, max: 5 }),
          windowSeconds: fc.integer({ min: 60, max: 1800 }),
          lockSeconds: fc.integer({ min: 60, max: 1800 }),
        }),
        fc.array(attempt, { maxLength: 30 }),
        async (policy, attempts) => {
          // Prepare: a model of the counter per username (failures in the window, when it ends, last failure).
          const t = prepare(policy);
          const model = new Map<string, { failures: number; windowEndsAt: number; lastFailureAt: number }>();
          let locks = 0;

          for (const a of attempts) {
            // Act
            t.clock.advance(a.gapSeconds);
            const now = t.clock.now().getTime();
            const code = await t.outcome(a.username, a.right ? 'correct horse battery' : 'wrong');

            // Assess
            const m = model.get(a.username);
            const locked =
              m !== undefined &&
              m.failures >= policy.maxFailures &&
              now < m.lastFailureAt + policy.lockSeconds * 1000;
            const known = a.username === 'alice';
            if (locked) {
              expect(code).toBe('ACCOUNT_LOCKED');
            } else if (a.right && known) {
              expect(code).toBe('ok');
              model.delete(a.username);
            } else {
              expect(code).toBe('INVALID_CREDENTIALS');
              const live = m !== undefined && now < m.windowEndsAt && m.failures < policy.maxFailures;
              const next = live
                ? { ...m, failures: m.failures + 1, lastFailureAt: now }
                : { failures: 1, windowEndsAt: now + policy.windowSeconds * 1000, lastFailureAt: now };
              model.set(a.username, next);
              if (known && next.failures === policy.maxFailures) locks++;
            }
          }
          // What was stored: one login.locked per lock of the known username.
          expect(
            t.stores.table.auditEvents.filter(({ event }) => event.type === 'login.locked'),
          ).toHaveLength(locks);
        },
      ),
      { numRuns: 200 },
    );
  });
});
