import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { startTestApi } from '../support/test-runtime';

const PASSWORD = 'purple-otter-bakes-42';
const NEW_PASSWORD = 'green-heron-swims-77';
/** How often an authorizer container reads the list again (REVOCATION_REFRESH_SECONDS). */
const REFRESH_SECONDS = 15;
/** The bound issue 10 sets: a revoked session's tokens are refused everywhere within it. */
const BOUND_SECONDS = 30;

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock });
});
afterAll(async () => {
  await api.close();
});

let userCount = 0;
type TokenResponse = { access_token: string; refresh_token: string; user: { id: string } };
async function signUp(): Promise<TokenResponse & { username: string }> {
  userCount++;
  const username = `revoked${userCount}`;
  const r = await api.call('POST', '/v1/auth/register', { json: { username, password: PASSWORD } });
  expect(r.status).toBe(201);
  return { ...(r.body as TokenResponse), username };
}
async function signIn(username: string): Promise<TokenResponse> {
  const r = await api.call('POST', '/v1/auth/login', { json: { username, password: PASSWORD } });
  expect(r.status).toBe(200);
  return r.body as TokenResponse;
}
const refresh = (token: string) =>
  api.call('POST', '/v1/oauth/token', {
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
const me = async (token: string) => (await api.call('GET', '/v1/me', { token })).status;
const sessionIdOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid;

/**
 * Starts a fresh refresh interval of the (one, in-process) authorizer container: once the copy it
 * holds is due, the next request reads the list. Answers with that request's status.
 */
async function authorizerReadsTheListNow(token: string): Promise<number> {
  clock.advance(REFRESH_SECONDS);
  return me(token);
}

/**
 * The shape every revoke path must have: the authorizer read the list just before the revocation;
 * for the rest of its interval it still accepts the token; once the interval has passed it refuses
 * it, and it never accepts it again (checked up to the 30 s bound and beyond).
 */
async function expectRefusedWithinTheBound(token: string, revoke: () => Promise<void>) {
  expect(await authorizerReadsTheListNow(token)).toBe(200);

  await revoke();

  clock.advance(REFRESH_SECONDS - 1);
  expect(await me(token)).toBe(200); // this container read the list 14 s ago
  clock.advance(1);
  expect(await me(token)).toBe(401); // its interval is over: it read the list again
  clock.advance(BOUND_SECONDS - REFRESH_SECONDS);
  expect(await me(token)).toBe(401);
  clock.advance(300);
  expect(await me(token)).toBe(401);
}

describe('Revocation list: a revoked session is refused everywhere within 30 s (issue 10 item 3)', () => {
  it('refuses the access token of a signed-out session once the interval has passed, never later than 30 s', async () => {
    // Prepare
    const { access_token } = await signUp();

    // Act + Assess
    await expectRefusedWithinTheBound(access_token, async () => {
      const r = await api.call('POST', '/v1/auth/logout', { token: access_token, json: {} });
      expect(r.status).toBe(204);
    });
  });

  it('refuses every session of "sign out everywhere", and leaves other users alone', async () => {
    // Prepare
    const victim = await signUp();
    const other = await signIn(victim.username);
    const bystander = await signUp();

    // Act
    await expectRefusedWithinTheBound(other.access_token, async () => {
      const r = await api.call('POST', '/v1/auth/logout', {
        token: victim.access_token,
        json: { allSessions: true },
      });
      expect(r.status).toBe(204);
    });

    // Assess
    expect(await me(victim.access_token)).toBe(401);
    expect(await me(bystander.access_token)).toBe(200);
  });

  it('refuses the tokens of a session deleted from another device', async () => {
    // Prepare
    const first = await signUp();
    const second = await signIn(first.username);

    // Act + Assess
    await expectRefusedWithinTheBound(second.access_token, async () => {
      const path = `/v1/me/sessions/${sessionIdOf(second.access_token)}`;
      const r = await api.call('DELETE', path, { token: first.access_token });
      expect(r.status).toBe(204);
    });
    expect(await me(first.access_token)).toBe(200);
  });

  it('refuses the other sessions of a user who changed the password', async () => {
    // Prepare
    const user = await signUp();
    const stolen = await signIn(user.username);
    const fresh = await signIn(user.username);

    // Act + Assess
    await expectRefusedWithinTheBound(stolen.access_token, async () => {
      const r = await api.call('PUT', '/v1/me/password', {
        token: fresh.access_token,
        json: { password: NEW_PASSWORD, currentPassword: PASSWORD },
      });
      expect(r.status).toBe(204);
    });
    expect(await me(fresh.access_token)).toBe(200);
  });

  it('refuses every access token of a session revoked for refresh-token reuse', async () => {
    // Prepare: the session rotated once; the thief replays the old refresh token after the grace window.
    const user = await signUp();
    const rotated = await refresh(user.refresh_token);
    expect(rotated.status).toBe(200);
    clock.advance(11);

    // Act + Assess: both the first and the rotated access token die with the session.
    await expectRefusedWithinTheBound(rotated.body.access_token, async () => {
      expect((await refresh(user.refresh_token)).status).toBe(400);
    });
    expect(await me(user.access_token)).toBe(401);
  });

  it('answers the refusal as the 401 problem document of any bad token', async () => {
    // Prepare
    const { access_token } = await signUp();
    await api.call('POST', '/v1/auth/logout', { token: access_token, json: {} });

    // Act
    clock.advance(REFRESH_SECONDS);
    const r = await api.call('GET', '/v1/me/sessions', { token: access_token });

    // Assess
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_TOKEN');
  });
});
