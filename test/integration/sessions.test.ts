import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { startTestApi } from '../support/test-runtime';

const PASSWORD = 'purple-otter-bakes-42';
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock });
});
afterAll(async () => {
  await api.close();
});

let userCount = 0;
async function signUp() {
  userCount++;
  const r = await api.call('POST', '/v1/auth/register', {
    json: { username: `user${userCount}`, password: PASSWORD },
  });
  expect(r.status).toBe(201);
  return r.body as { access_token: string; refresh_token: string; user: { id: string } };
}
const refresh = (token: string) =>
  api.call('POST', '/v1/oauth/token', {
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

describe('Repeated OAuth parameters (RFC 6749 §3.2)', () => {
  it.each([
    ['form body', 'grant_type=refresh_token&grant_type=authorization_code&refresh_token=x', ''],
    [
      'query',
      'grant_type=refresh_token&refresh_token=x',
      '?grant_type=authorization_code&grant_type=refresh_token',
    ],
    ['form body, repeated token', 'grant_type=refresh_token&refresh_token=a&refresh_token=b', ''],
  ])(
    'refuses a repeated parameter in the %s as invalid_request, not last-one-wins',
    async (_, body, query) => {
      // Prepare
      const { refresh_token } = await signUp();

      // Act
      const result = await api.call('POST', `/v1/oauth/token${query}`, {
        body: body.replace('refresh_token=x', `refresh_token=${encodeURIComponent(refresh_token)}`),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });

      // Assess
      expect(result.status).toBe(400);
      expect(result.body).toEqual({
        error: 'invalid_request',
        error_description: expect.stringContaining('more than once'),
      });
      expect((await refresh(refresh_token)).status).toBe(200);
    },
  );
});

describe('Refresh tokens', () => {
  it('rotates once for 10 parallel refreshes with one token: all answer the same head, the session lives', async () => {
    const { refresh_token, access_token } = await signUp();
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(refresh_token)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    // The grace window answers the family's current head, never a fork.
    expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
    const next = await refresh(results[0]?.body.refresh_token);
    expect(next.status).toBe(200);
    const sessions = await api.call('GET', '/v1/me/sessions', { token: access_token });
    expect(sessions.body.sessions).toHaveLength(1);
  });

  it('revokes the session when a rotated token is replayed after the grace window', async () => {
    const { refresh_token } = await signUp();
    const first = await refresh(refresh_token);
    expect(first.status).toBe(200);
    clock.advance(30);
    const replay = await refresh(refresh_token);
    expect(replay.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    const legit = await refresh(first.body.refresh_token);
    expect(legit.status).toBe(400);

    // The revoked session's access tokens are refused within 30 s (the revocation list): the
    // replay came 30 s after the rotation, so the user reads the history from a new sign-in.
    expect((await api.call('GET', '/v1/me/events', { token: first.body.access_token })).status).toBe(401);
    const again = await api.call('POST', '/v1/auth/login', {
      json: { username: `user${userCount}`, password: PASSWORD },
    });
    const events = await api.call('GET', '/v1/me/events', { token: again.body.access_token });
    expect(events.body.events.map((e: { type: string }) => e.type)).toContain('session.reuse_detected');
  });

  it('accepts JSON as well as form bodies, and answers RFC 6749 errors', async () => {
    const { refresh_token } = await signUp();
    const json = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token },
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('cache-control')).toBe('no-store');
    const missing = await api.call('POST', '/v1/oauth/token', { json: { grant_type: 'refresh_token' } });
    expect(missing.body.error).toBe('invalid_request');
    const unsupported = await api.call('POST', '/v1/oauth/token', { json: { grant_type: 'password' } });
    expect(unsupported.body.error).toBe('unsupported_grant_type');
    const noGrant = await api.call('POST', '/v1/oauth/token', { json: {} });
    expect(noGrant).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('expires an idle session after 30 days', async () => {
    const { refresh_token } = await signUp();
    clock.advance(30 * 86400 + 1);
    expect((await refresh(refresh_token)).body.error).toBe('invalid_grant');
  });
});

describe('Sessions and sign-out', () => {
  it('lists sessions, revokes another one, and signs out of all', async () => {
    const first = await signUp();
    const username = `user${userCount}`;
    const second = (await api.call('POST', '/v1/auth/login', { json: { username, password: PASSWORD } }))
      .body;
    const listed = await api.call('GET', '/v1/me/sessions', { token: first.access_token });
    expect(listed.body.sessions).toHaveLength(2);
    expect(listed.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);

    const otherId = listed.body.sessions.find((s: { current: boolean }) => !s.current).id;
    expect(
      (await api.call('DELETE', `/v1/me/sessions/${otherId}`, { token: first.access_token })).status,
    ).toBe(204);
    expect(
      (await api.call('DELETE', `/v1/me/sessions/${otherId}`, { token: first.access_token })).status,
    ).toBe(404);
    expect((await refresh(second.refresh_token)).body.error).toBe('invalid_grant');

    const third = (await api.call('POST', '/v1/auth/login', { json: { username, password: PASSWORD } })).body;
    const out = await api.call('POST', '/v1/auth/logout', {
      token: first.access_token,
      json: { allSessions: true },
    });
    expect(out.status).toBe(204);
    expect((await refresh(first.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh(third.refresh_token)).body.error).toBe('invalid_grant');
  });

  it("answers 404 for another user's session", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const bobs = await api.call('GET', '/v1/me/sessions', { token: bob.access_token });
    const r = await api.call('DELETE', `/v1/me/sessions/${bobs.body.sessions[0].id}`, {
      token: alice.access_token,
    });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('NOT_FOUND');
  });

  it('records the audit history newest first, paged by cursor', async () => {
    const user = await signUp();
    const username = `user${userCount}`;
    for (let i = 0; i < 30; i++) {
      clock.advance(1);
      await api.call('POST', '/v1/auth/login', {
        json: { username, password: i % 3 ? PASSWORD : 'wrong-pass-word' },
      });
    }
    const page1 = await api.call('GET', '/v1/me/events', { token: user.access_token });
    expect(page1.body.events).toHaveLength(25);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await api.call('GET', `/v1/me/events?cursor=${page1.body.nextCursor}`, {
      token: user.access_token,
    });
    const all = [...page1.body.events, ...page2.body.events];
    expect(all).toHaveLength(31);
    expect(all.at(-1).type).toBe('account.registered');
    expect(new Set(all.map((e: { type: string }) => e.type))).toEqual(
      new Set(['account.registered', 'login.succeeded', 'login.failed']),
    );
    const times = all.map((e: { at: string }) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    const bad = await api.call('GET', '/v1/me/events?cursor=bm90LWEtY3Vyc29y', { token: user.access_token });
    expect(bad.body).toMatchObject({ status: 422, code: 'VALIDATION_FAILED', errors: [{ path: 'cursor' }] });
  });
});
