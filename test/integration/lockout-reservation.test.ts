import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Argon2PasswordHasher } from '../../functions/adapters/argon2-password-hasher';
import { ManualClock } from '../support/manual-clock';
import { startTestApi } from '../support/test-runtime';

/**
 * The red-team attack on the lockout, over HTTP: 50 parallel logins, one of them with the right
 * password. The attempt is reserved before argon2 runs, so at most the allowance (5) of passwords
 * are ever checked, and the right one signs in only if it was one of those checked.
 */
const PASSWORD = 'purple-otter-bakes-42';
const ALLOWANCE = 5;
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await api.close();
});

const login = (username: string, password: string) =>
  api.call('POST', '/v1/auth/login', { json: { username, password } });

describe('Lockout under a parallel burst', () => {
  it.each([10, 25, 45, 49])(
    'checks at most 5 of 50 parallel guesses, the right password at position %i signing in only if it was one of them',
    async (position) => {
      // Prepare
      const username = `burst-${position}`;
      expect(
        (await api.call('POST', '/v1/auth/register', { json: { username, password: PASSWORD } })).status,
      ).toBe(201);
      // Every argon2 check of a known username goes through `verify`.
      const verify = vi.spyOn(Argon2PasswordHasher.prototype, 'verify');

      // Act
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          login(username, i + 1 === position ? PASSWORD : `wrong-guess-${i}`),
        ),
      );

      // Assess
      const checkedPasswords = verify.mock.calls.map(([, password]) => password);
      verify.mockRestore();
      const statuses = results.map((r) => r.status);
      expect(checkedPasswords.length).toBeGreaterThan(0);
      const signedIn = checkedPasswords.includes(PASSWORD) && results[position - 1]?.status === 200;
      // Without the right password among the checked, no more than the allowance is ever checked.
      // When the right one wins a reservation and signs in, its success resets the count (the
      // owner is in), so the guesses still in flight get one new allowance: never more.
      expect(checkedPasswords.filter((p) => p !== PASSWORD).length).toBeLessThanOrEqual(
        signedIn ? 2 * ALLOWANCE - 1 : ALLOWANCE,
      );
      if (!signedIn) expect(checkedPasswords.length).toBeLessThanOrEqual(ALLOWANCE);
      expect(statuses.filter((s) => s === 401)).toHaveLength(
        checkedPasswords.filter((p) => p !== PASSWORD).length,
      );
      // Requests reach the server in any order: the right password may win one of the 5
      // reservations, and then it may sign in (a guess within the allowance, not a bypass).
      // It never signs in without having been one of the checked passwords.
      const right = results[position - 1];
      const others = statuses.filter((_, i) => i !== position - 1);
      expect(others.every((s) => s === 401 || s === 429)).toBe(true);
      if (checkedPasswords.includes(PASSWORD) && right?.status === 200) return;
      expect(right?.status).toBe(429);
      expect(right?.body.code).toBe('ACCOUNT_LOCKED');
      expect(Number(right?.headers.get('retry-after'))).toBeGreaterThan(0);
    },
  );

  it('still lets the owner in with the right password once the lock has run out', async () => {
    // Prepare
    clock.advance(15 * 60);

    // Act
    const result = await login('burst-10', PASSWORD);

    // Assess
    expect(result.status).toBe(200);
  });
});
