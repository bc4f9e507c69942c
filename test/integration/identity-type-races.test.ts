import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/test-runtime';

/**
 * The red-team attacks of issue 10 item 4, over HTTP against the local runtime: racing requests
 * that each add a way in of one type must leave the account with one of that type.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  api = await startTestApi({ providers: true });
});
afterAll(async () => {
  await api.close();
});

const NONCE = 'nonce-1234567890';
const PKCE = {
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
};

async function googleToken(sub?: string): Promise<{ idToken: string; sub: string }> {
  const response = await fetch(`${api.providers?.url}/emulator/oidc/google/id-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nonce: NONCE, ...(sub === undefined ? {} : { sub }) }),
  });
  return (await response.json()) as { idToken: string; sub: string };
}

async function wechatUser(): Promise<string> {
  const response = await fetch(`${api.providers?.url}/emulator/wechat/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nickname: 'Racer' }),
  });
  return ((await response.json()) as { code: string }).code;
}

/** A signed-in user who signed up with WeChat (so has no username yet). */
async function wechatAccount(): Promise<string> {
  const start = await api.call('POST', '/v1/auth/social', {
    json: { ...PKCE, provider: 'wechat', code: await wechatUser() },
  });
  const grant = await api.call('POST', '/v1/oauth/token', {
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: start.body.code,
      code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
    }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(grant.status).toBe(200);
  return grant.body.access_token as string;
}

describe('One identity per type per user, under racing requests', () => {
  it('10 parallel PUT /v1/me/password with different usernames: one succeeds, the others are refused and no second username is added', async () => {
    // Prepare
    const token = await wechatAccount();

    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.call('PUT', '/v1/me/password', {
          token,
          json: { username: `racer-${i}-${Date.now()}`, password: 'purple-otter-bakes-42' },
        }),
      ),
    );

    // Assess
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    const refused = results.filter((r) => r.status !== 204);
    // A request that races the winner is refused by the database's guard (409); one that starts
    // after the winner finished sees a password already set, so it is a change without
    // `currentPassword` (422). Either way no second username is added.
    for (const r of refused) {
      expect([
        [409, 'IDENTITY_TYPE_TAKEN'],
        [422, 'VALIDATION_FAILED'],
      ]).toContainEqual([r.status, r.body.code]);
    }
    const me = await api.call('GET', '/v1/me', { token });
    expect(me.body.identities.filter((i: { type: string }) => i.type === 'password')).toHaveLength(1);
  });

  it('3 parallel Google links: one Google identity; unlinking google leaves none that signs in', async () => {
    // Prepare
    const token = await wechatAccount();
    const googles = await Promise.all([googleToken(), googleToken(), googleToken()]);

    // Act
    const results = await Promise.all(
      googles.map((g) =>
        api.call('POST', '/v1/me/identities/social', {
          token,
          json: { provider: 'google', idToken: g.idToken, nonce: NONCE },
        }),
      ),
    );
    const linked = await api.call('GET', '/v1/me', { token });
    const unlinked = await api.call('DELETE', '/v1/me/identities/google', { token });
    const signIns = await Promise.all(
      googles.map(async (g) =>
        api.call('POST', '/v1/auth/social', {
          json: { ...PKCE, provider: 'google', idToken: (await googleToken(g.sub)).idToken, nonce: NONCE },
        }),
      ),
    );

    // Assess
    // A link racing the first is refused by the database's guard (409); one that starts after
    // the first finished replaces it (the documented way to switch Google accounts). Either way
    // the account ends with exactly one Google identity.
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
    // A race the guard loses on every retry (the transactions keep cancelling each other) ends
    // in the generic 409 CONFLICT: still a refusal, never a second identity.
    for (const r of results.filter((r) => r.status !== 201)) {
      expect([
        [409, 'IDENTITY_TYPE_TAKEN'],
        [409, 'CONFLICT'],
      ]).toContainEqual([r.status, r.body.code]);
    }
    expect(linked.body.identities.filter((i: { type: string }) => i.type === 'google')).toHaveLength(1);
    expect(unlinked.status).toBe(204);
    const me = await api.call('GET', '/v1/me', { token });
    expect(me.body.identities.map((i: { type: string }) => i.type)).toEqual(['wechat']);
    // Each of the three Google accounts now signs in to a new account, never to this one.
    expect(signIns.map((r) => [r.status, r.body.isNewUser])).toEqual([
      [200, true],
      [200, true],
      [200, true],
    ]);
  });
  it('a Google link after another one replaces it: the first Google account no longer signs in here', async () => {
    // Prepare
    const token = await wechatAccount();
    const [first, second] = await Promise.all([googleToken(), googleToken()]);
    const link = (idToken: string) =>
      api.call('POST', '/v1/me/identities/social', {
        token,
        json: { provider: 'google', idToken, nonce: NONCE },
      });
    expect((await link(first?.idToken as string)).status).toBe(201);

    // Act
    const replaced = await link(second?.idToken as string);
    const firstSignIn = await api.call('POST', '/v1/auth/social', {
      json: { ...PKCE, provider: 'google', idToken: (await googleToken(first?.sub)).idToken, nonce: NONCE },
    });

    // Assess
    expect(replaced.status).toBe(201);
    const me = await api.call('GET', '/v1/me', { token });
    expect(me.body.identities.filter((i: { type: string }) => i.type === 'google')).toHaveLength(1);
    expect([firstSignIn.status, firstSignIn.body.isNewUser]).toEqual([200, true]);
  });
});
