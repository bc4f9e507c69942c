import { beforeEach, describe, expect, it } from 'vitest';
import { registerWithPassword } from '../../functions/domain/register-with-password';
import {
  FakeAccessTokenSigner,
  FakePasswordHasher,
  InMemoryCommonPasswordList,
  inMemoryStores,
  ManualClock,
  SequentialTokenCrypto,
} from '../fakes';
import { sessionPolicy } from '../support/policies';

const client = { ip: '203.0.113.9', userAgent: 'LinkGuard/1.0 iOS' };

describe('Use case: registerWithPassword', () => {
  let clock: ManualClock;
  let stores: ReturnType<typeof inMemoryStores>;
  let hasher: FakePasswordHasher;
  let signer: FakeAccessTokenSigner;
  let register: ReturnType<typeof registerWithPassword>;

  beforeEach(() => {
    clock = new ManualClock();
    stores = inMemoryStores();
    hasher = new FakePasswordHasher();
    signer = new FakeAccessTokenSigner();
    register = registerWithPassword({
      clock,
      crypto: new SequentialTokenCrypto(),
      hasher,
      commonPasswords: new InMemoryCommonPasswordList(),
      accounts: stores.accounts,
      signer,
      sessionPolicy,
    });
  });

  describe('a new username', () => {
    it('creates the user, the username identity, a session and the event, and signs in', async () => {
      // Act
      const grant = await register({ username: ' Alice ', password: 'correct horse battery' }, client);

      // Assess
      const userId = grant.user.id;
      expect(stores.table.users.get(userId)).toMatchObject({
        displayName: 'alice',
        identityCount: 1,
        createdAt: clock.now().toISOString(),
      });
      expect(stores.table.identity('password', 'alice')).toMatchObject({
        userId,
        label: 'al***',
        passwordHash: 'hashed:correct horse battery',
      });
      const [session] = [...stores.table.sessions.values()];
      expect(session).toMatchObject({ userId, ip: client.ip, userAgent: client.userAgent });
      expect(grant.refreshToken.startsWith(`${userId}.${session?.id}.`)).toBe(true);
      expect(grant.accessToken).toBe(`access:${userId}:${session?.id}`);
      expect(grant.user.identities).toEqual([
        { type: 'password', label: 'al***', linkedAt: clock.now().toISOString() },
      ]);
      expect(stores.table.auditEvents.map(({ event }) => event)).toEqual([
        expect.objectContaining({
          userId,
          type: 'account.registered',
          sessionId: session?.id,
          detail: { method: 'password' },
        }),
      ]);
    });

    it('keeps a chosen display name, trimmed', async () => {
      // Act
      const grant = await register(
        { username: 'bob', password: 'correct horse battery', displayName: '  Bob B ' },
        client,
      );

      // Assess
      expect(grant.user.displayName).toBe('Bob B');
    });

    it('stores only the hash of the refresh token', async () => {
      // Act
      const grant = await register({ username: 'carol', password: 'correct horse battery' }, client);

      // Assess
      const secret = grant.refreshToken.split('.').at(-1) as string;
      expect(JSON.stringify([...stores.table.sessions.values()])).not.toContain(secret);
    });
  });

  describe('refusals', () => {
    it('answers USERNAME_TAKEN for a username that exists in any spelling, and stores nothing', async () => {
      // Prepare
      await register({ username: 'alice', password: 'correct horse battery' }, client);

      // Act
      const attempt = register({ username: 'ALICE', password: 'another good password' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
      expect(stores.table.users.size).toBe(1);
      expect(stores.table.sessions.size).toBe(1);
    });

    it('of parallel registrations of one username, exactly one wins', async () => {
      // Act
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          register({ username: 'alice', password: `good password ${i}` }, client),
        ),
      );

      // Assess
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'USERNAME_TAKEN' });
      }
      expect(stores.table.users.size).toBe(1);
    });

    it.each([
      ['a too short username', { username: 'al', password: 'correct horse battery' }, 'username'],
      ['a username with spaces', { username: 'al ice', password: 'correct horse battery' }, 'username'],
      ['a password under 8 characters', { username: 'alice', password: 'short' }, 'password'],
      ['a password over 128 characters', { username: 'alice', password: 'x'.repeat(129) }, 'password'],
    ])('answers VALIDATION_FAILED for %s, naming the field', async (_, input, path) => {
      // Act
      const attempt = register(input, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ path })],
      });
      expect(stores.table.users.size).toBe(0);
      expect(hasher.calls.hash).toBe(0);
    });

    it('answers PASSWORD_TOO_COMMON for a listed password, before hashing anything', async () => {
      // Act
      const attempt = register({ username: 'alice', password: 'qwertyuiop' }, client);

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'PASSWORD_TOO_COMMON' });
      expect(hasher.calls.hash).toBe(0);
      expect(stores.table.users.size).toBe(0);
    });
  });
});
