import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { recordTableCalls } from '../support/table-calls';
import { startTestApi } from '../support/test-runtime';

/**
 * Refresh-token families (RFC 9700 §4.14.2, issue 10 item 8) over HTTP against the local runtime,
 * with the controllable clock: replays at generation −1 inside and outside the 10 s grace window,
 * at −3, parallel refreshes with one token, and what a refresh costs in DynamoDB calls.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-05-01T08:00:00.000Z');
const PASSWORD = 'purple-otter-bakes-42';
/** DynamoDB calls the token function made since the last call. */
let takeCalls: () => string[];

beforeAll(async () => {
  api = await startTestApi({ clock });
  takeCalls = recordTableCalls('oauth-token');
});
afterAll(async () => {
  await api.close();
});

let n = 0;
async function signedIn() {
  n++;
  const r = await api.call('POST', '/v1/auth/register', {
    json: { username: `family${n}`, password: PASSWORD },
  });
  expect(r.status).toBe(201);
  return r.body as { access_token: string; refresh_token: string };
}
const refresh = (token: string) =>
  api.call('POST', '/v1/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: token } });
const sessionsOf = async (accessToken: string) =>
  (await api.call('GET', '/v1/me/sessions', { token: accessToken })).body.sessions as { id: string }[];

describe('A refresh', () => {
  it('costs one DynamoDB call: one conditional UpdateItem', async () => {
    // Prepare
    const start = await signedIn();
    takeCalls();

    // Act
    const rotated = await refresh(start.refresh_token);

    // Assess
    expect(rotated.status).toBe(200);
    expect(takeCalls()).toEqual(['UpdateItemCommand']);
    expect(rotated.body.user).toBeUndefined();
    expect(rotated.headers.get('cache-control')).toBe('no-store');
  });
});

describe('Generation −1 (the token just rotated)', () => {
  it('within the grace window answers the same head for the same session, in one call, and the family goes on', async () => {
    // Prepare: the client's response to its refresh was lost.
    const start = await signedIn();
    const lost = await refresh(start.refresh_token);
    clock.advance(5);
    takeCalls();

    // Act
    const retried = await refresh(start.refresh_token);

    // Assess
    expect(retried.status).toBe(200);
    expect(retried.body.refresh_token).toBe(lost.body.refresh_token);
    expect(takeCalls()).toEqual(['UpdateItemCommand']);
    const next = await refresh(retried.body.refresh_token);
    expect(next.status).toBe(200);
    expect(await sessionsOf(next.body.access_token)).toHaveLength(1);
  });

  it('after the grace window revokes the session', async () => {
    // Prepare
    const start = await signedIn();
    const head = await refresh(start.refresh_token);
    clock.advance(11);

    // Act
    const replay = await refresh(start.refresh_token);

    // Assess: refused, and the legitimate head dies with the session.
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await refresh(head.body.refresh_token)).body.error).toBe('invalid_grant');
    const events = await api.call('GET', '/v1/me/events', { token: head.body.access_token });
    expect(events.body.events.map((e: { type: string }) => e.type)).toContain('session.reuse_detected');
  });
});

describe('Generation −3', () => {
  it('revokes the session, even moments after the last rotation', async () => {
    // Prepare: three rotations.
    const start = await signedIn();
    let head = start.refresh_token;
    let access = start.access_token;
    for (let i = 0; i < 3; i++) {
      clock.advance(60);
      const r = await refresh(head);
      head = r.body.refresh_token;
      access = r.body.access_token;
    }
    clock.advance(1);

    // Act
    const replay = await refresh(start.refresh_token);

    // Assess
    expect(replay.body.error).toBe('invalid_grant');
    expect((await refresh(head)).body.error).toBe('invalid_grant');
    // The session is gone: its access token is refused once the revocation list is read, and a
    // new sign-in sees only its own session.
    clock.advance(16);
    expect((await api.call('GET', '/v1/me/sessions', { token: access })).status).toBe(401);
    const again = await api.call('POST', '/v1/auth/login', {
      json: { username: `family${n}`, password: PASSWORD },
    });
    expect(await sessionsOf(again.body.access_token)).toHaveLength(1);
  });

  it('revokes nothing when the old generation is forged (a wrong tag)', async () => {
    const start = await signedIn();
    const head = (await refresh((await refresh(start.refresh_token)).body.refresh_token)).body;
    const [uid, sid] = start.refresh_token.split('.');
    clock.advance(60);

    const forged = await refresh(`${uid}.${sid}.0.AAAAAAAAAAAAAAAAAAAAAA.${'x'.repeat(43)}`);

    expect(forged.body.error).toBe('invalid_grant');
    expect((await refresh(head.refresh_token)).status).toBe(200);
  });
});

describe('Parallel refreshes with the same token', () => {
  it('rotate once: all 10 answer a working pair with the same head', async () => {
    // Prepare
    const start = await signedIn();

    // Act
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(start.refresh_token)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.refresh_token)).size).toBe(1);
    const [generation] = String(results[0]?.body.refresh_token).split('.').slice(2);
    expect(generation).toBe('1');
    clock.advance(60);
    expect((await refresh(results[0]?.body.refresh_token)).status).toBe(200);
  });
});
