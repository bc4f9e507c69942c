import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const PKCE = { codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', codeChallengeMethod: 'S256' };
const NONCE = 'nonce-1234567890';

beforeAll(async () => {
  api = await startTestApi({ providers: true });
});
afterAll(async () => {
  await api.close();
});

/** Mints an id_token at the emulator, as the Apple or Google SDK would hand it to the app. */
const mint = async (provider: 'apple' | 'google', body: Record<string, unknown> = {}) => {
  const response = await fetch(`${api.providers?.url}/emulator/oidc/${provider}/id-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nonce: NONCE, ...body }),
  });
  return (await response.json()) as { idToken: string; sub: string; authorizationCode?: string };
};
const signIn = (provider: 'apple' | 'google', idToken: string, authorizationCode?: string) =>
  api.call('POST', '/v1/auth/social', {
    json: {
      ...PKCE,
      provider,
      idToken,
      nonce: NONCE,
      ...(authorizationCode === undefined ? {} : { authorizationCode }),
    },
  });

describe('An Apple or Google id_token is accepted once (issue 10 item 7)', () => {
  it.each(['google', 'apple'] as const)(
    'refuses a replayed %s id_token with 401 PROVIDER_REJECTED',
    async (provider) => {
      // Prepare
      // Apple's SDK hands the app an authorization code with the id_token; the replay sends both.
      const { idToken, authorizationCode } = await mint(provider);
      const first = await signIn(provider, idToken, authorizationCode);

      // Act
      const replay = await signIn(provider, idToken, authorizationCode);

      // Assess
      expect(first.status).toBe(200);
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('PROVIDER_REJECTED');
      expect(replay.body.detail).toContain('already used');
    },
  );

  it('refuses 5 parallel presentations of one id_token but one', async () => {
    // Prepare
    const { idToken } = await mint('google');

    // Act
    const results = await Promise.all(Array.from({ length: 5 }, () => signIn('google', idToken)));

    // Assess
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.code).toBe('PROVIDER_REJECTED');
  });

  it('refuses an id_token already used to sign in when it is presented to link an identity', async () => {
    // Prepare: the attacker captured the victim's Google id_token after it signed the victim in.
    const { idToken } = await mint('google');
    expect((await signIn('google', idToken)).status).toBe(200);
    const attacker = await api.call('POST', '/v1/auth/register', {
      json: { username: 'replayer', password: 'purple-otter-bakes-42' },
    });

    // Act
    const link = await api.call('POST', '/v1/me/identities/social', {
      token: attacker.body.access_token,
      json: { provider: 'google', idToken, nonce: NONCE },
    });

    // Assess
    expect(link.status).toBe(401);
    expect(link.body.code).toBe('PROVIDER_REJECTED');
  });

  it('accepts the next sign-in of the same user with a new id_token', async () => {
    // Prepare
    const { idToken, sub } = await mint('google');
    expect((await signIn('google', idToken)).status).toBe(200);

    // Act
    const again = await signIn('google', (await mint('google', { sub })).idToken);

    // Assess
    expect(again.status).toBe(200);
    expect(again.body.isNewUser).toBe(false);
  });
});
