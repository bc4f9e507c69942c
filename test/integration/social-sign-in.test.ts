import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const PKCE = { codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' };

beforeAll(async () => {
  api = await startTestApi({
    clock,
    providers: true,
    env: { PROVIDER_TIMEOUT_MS: '500', OIDC_JWKS_COOLDOWN_SECONDS: '0' },
  });
});
afterAll(async () => {
  await api.close();
});

const emulator = async (path: string, body: unknown = {}) => {
  const response = await fetch(`${api.providers?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, string>;
};
const social = (body: Record<string, unknown>) =>
  api.call('POST', '/v1/auth/social', { json: { ...PKCE, ...body } });
const exchange = (code: string, verifier = VERIFIER) =>
  api.call('POST', '/v1/oauth/token', {
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
async function googleToken(extra: Record<string, unknown> = {}) {
  return (
    await emulator('/emulator/oidc/google/id-token', { nonce: 'nonce-1234567890', name: 'Gina', ...extra })
  ).idToken as string;
}

describe('The authorization code', () => {
  it('gives exactly one token response for 10 parallel exchanges, and a replay revokes it', async () => {
    const wechat = await emulator('/emulator/wechat/users', { nickname: 'Racer' });
    const { body } = await social({ provider: 'wechat', code: wechat.code });
    const results = await Promise.all(Array.from({ length: 10 }, () => exchange(body.code)));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.error).toBe('invalid_grant');

    const replay = await exchange(body.code);
    expect(replay.body.error).toBe('invalid_grant');
    const refresh = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: winners[0]?.body.refresh_token },
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('a replay without the verifier revokes nothing: a code thief cannot sign the user out', async () => {
    // Prepare: the app exchanged its code; a thief saw the code, not the verifier.
    const wechat = await emulator('/emulator/wechat/users', { nickname: 'Kept' });
    const { body } = await social({ provider: 'wechat', code: wechat.code });
    const grant = await exchange(body.code);
    expect(grant.status).toBe(200);

    // Act
    const thief = await exchange(body.code, 'T'.repeat(43));

    // Assess: refused, and the app's session still works.
    expect(thief.body.error).toBe('invalid_grant');
    const refresh = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: grant.body.refresh_token },
    });
    expect(refresh.status).toBe(200);
    // The same replay with the verifier does revoke it (the control).
    expect((await exchange(body.code)).body.error).toBe('invalid_grant');
    const after = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: refresh.body.refresh_token },
    });
    expect(after.body.error).toBe('invalid_grant');
  });

  it('refuses an expired code, a wrong verifier, and a code bound to another challenge', async () => {
    const user = await emulator('/emulator/qq/users', { nickname: 'Q' });
    const first = await social({ provider: 'qq', accessToken: user.accessToken });
    clock.advance(61);
    expect((await exchange(first.body.code)).body.error).toBe('invalid_grant');

    const again = await emulator(`/emulator/qq/users/${user.openId}/login`);
    const second = await social({ provider: 'qq', accessToken: again.accessToken });
    expect((await exchange(second.body.code, 'x'.repeat(43))).body.error).toBe('invalid_grant');

    const other = 'A'.repeat(43);
    const third = await api.call('POST', '/v1/auth/social', {
      json: {
        provider: 'qq',
        accessToken: again.accessToken,
        codeChallenge: other,
        codeChallengeMethod: 'S256',
      },
    });
    expect((await exchange(third.body.code)).body.error).toBe('invalid_grant');
    expect((await exchange('not-a-code')).body.error).toBe('invalid_grant');
    expect((await exchange(third.body.code, 'short')).body.error).toBe('invalid_request');
  });

  it('refuses the plain PKCE method and a malformed challenge', async () => {
    const user = await emulator('/emulator/qq/users');
    const plain = await api.call('POST', '/v1/auth/social', {
      json: {
        provider: 'qq',
        accessToken: user.accessToken,
        codeChallenge: CHALLENGE,
        codeChallengeMethod: 'plain',
      },
    });
    expect(plain.body).toMatchObject({ status: 422, errors: [{ path: 'codeChallengeMethod' }] });
    const bad = await api.call('POST', '/v1/auth/social', {
      json: {
        provider: 'qq',
        accessToken: user.accessToken,
        codeChallenge: 'short',
        codeChallengeMethod: 'S256',
      },
    });
    expect(bad.body).toMatchObject({ status: 422, errors: [{ path: 'codeChallenge' }] });
  });
});

describe('Apple and Google id_tokens', () => {
  it('accepts a good one and creates the user from its profile', async () => {
    const r = await social({
      provider: 'google',
      idToken: await googleToken({ name: 'Gina G' }),
      nonce: 'nonce-1234567890',
    });
    expect(r.body).toMatchObject({ isNewUser: true, expiresIn: 60 });
    const grant = await exchange(r.body.code);
    expect(grant.body.user).toMatchObject({ displayName: 'Gina G', identities: [{ type: 'google' }] });
  });

  const forged = async (kid: string) => {
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ nonce: 'x' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer('https://accounts.google.com')
      .setAudience('linkguard-local.apps.googleusercontent.com')
      .setSubject('1')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
  };

  it.each([
    [
      'a wrong signing key',
      async () => {
        const jwks = (await (await fetch(`${api.providers?.url}/oidc/google/jwks`)).json()) as {
          keys: { kid: string }[];
        };
        return forged(jwks.keys[0]?.kid ?? '');
      },
    ],
    ['an unknown kid', () => forged('nobody-knows-this-kid')],
    [
      'alg: none',
      async () => {
        const [, payload] = (await googleToken()).split('.');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      },
    ],
    ['a wrong issuer', () => googleToken({ issuer: 'https://evil.example' })],
    ['a wrong audience', () => googleToken({ audience: 'someone-elses-client-id' })],
    ['an expired token', () => googleToken({ expiresIn: -60 })],
  ])('refuses %s', async (_name, make) => {
    const r = await social({ provider: 'google', idToken: await make(), nonce: 'nonce-1234567890' });
    expect(r.body).toMatchObject({ status: 401, code: 'PROVIDER_REJECTED' });
  });

  it('refuses a nonce mismatch', async () => {
    const r = await social({ provider: 'google', idToken: await googleToken(), nonce: 'another-nonce-123' });
    expect(r.body).toMatchObject({ status: 401, code: 'PROVIDER_REJECTED' });
  });

  it('accepts a token signed with a rotated key after fetching the JWKS again', async () => {
    const first = await emulator('/emulator/oidc/apple/id-token', { nonce: 'nonce-1234567890' });
    await social({
      provider: 'apple',
      idToken: first.idToken,
      authorizationCode: first.authorizationCode,
      nonce: 'nonce-1234567890',
    });
    const { kid } = await emulator('/emulator/oidc/apple/rotate-key');
    const { idToken, authorizationCode } = await emulator('/emulator/oidc/apple/id-token', {
      nonce: 'nonce-1234567890',
    });
    expect(JSON.parse(Buffer.from(idToken?.split('.')[0] ?? '', 'base64url').toString()).kid).toBe(kid);
    const r = await social({ provider: 'apple', idToken, authorizationCode, nonce: 'nonce-1234567890' });
    expect(r.status).toBe(200);
  });
});

describe('WeChat and QQ', () => {
  it('creates a user with the WeChat nickname and avatar, then finds the same user', async () => {
    const user = await emulator('/emulator/wechat/users', {
      nickname: '陈静',
      avatarUrl: 'https://thirdwx.qlogo.cn/x/132',
    });
    const first = await social({ provider: 'wechat', code: user.code });
    expect(first.body.isNewUser).toBe(true);
    const me = (await exchange(first.body.code)).body.user;
    expect(me).toMatchObject({ displayName: '陈静', avatarUrl: 'https://thirdwx.qlogo.cn/x/132' });

    const again = await emulator(`/emulator/wechat/users/${user.openId}/login`);
    const second = await social({ provider: 'wechat', accessToken: again.accessToken, openId: user.openId });
    expect(second.body.isNewUser).toBe(false);
    expect((await exchange(second.body.code)).body.user.id).toBe(me.id);
  });

  it('refuses WeChat errcode answers: a used code, a token for another openid', async () => {
    const user = await emulator('/emulator/wechat/users');
    expect((await social({ provider: 'wechat', code: user.code })).status).toBe(200);
    expect((await social({ provider: 'wechat', code: user.code })).body).toMatchObject({
      status: 401,
      code: 'PROVIDER_REJECTED',
    });
    const other = await emulator('/emulator/wechat/users');
    const mixed = await social({ provider: 'wechat', accessToken: user.accessToken, openId: other.openId });
    expect(mixed.body).toMatchObject({ status: 401, code: 'PROVIDER_REJECTED' });
  });

  it("refuses a QQ token minted for another app's client_id", async () => {
    const foreign = await emulator('/emulator/qq/users', { clientId: '999999' });
    const r = await social({ provider: 'qq', accessToken: foreign.accessToken });
    expect(r.body).toMatchObject({ status: 401, code: 'PROVIDER_REJECTED' });
    expect(r.body.detail).toContain('another app');
  });

  it.each(['wechat', 'qq', 'google'] as const)(
    'answers 502 when %s times out or fails, never 500',
    async (provider) => {
      let token: Record<string, string>;
      if (provider === 'wechat') token = { code: (await emulator('/emulator/wechat/users')).code as string };
      else if (provider === 'qq')
        token = { accessToken: (await emulator('/emulator/qq/users')).accessToken as string };
      else {
        // A token from a freshly rotated key names a kid we have not seen, so the JWKS is fetched (and meets the fault).
        await emulator('/emulator/oidc/google/rotate-key');
        token = { idToken: await googleToken(), nonce: 'nonce-1234567890' };
      }
      for (const mode of ['timeout', 'error']) {
        await emulator('/emulator/faults', { provider, mode });
        const r = await social({ provider, ...token });
        expect(r.body).toMatchObject({ status: 502, code: 'PROVIDER_UNAVAILABLE' });
      }
      await emulator('/emulator/faults', { provider, mode: 'none' });
    },
  );
});

describe('Linking', () => {
  it('links WeChat to a password user, who then signs in with WeChat', async () => {
    const reg = await api.call('POST', '/v1/auth/register', {
      json: { username: 'linker', password: 'purple-otter-bakes-42' },
    });
    const wechat = await emulator('/emulator/wechat/users', { nickname: 'Linker' });
    const linked = await api.call('POST', '/v1/me/identities/social', {
      token: reg.body.access_token,
      json: { provider: 'wechat', code: wechat.code },
    });
    expect(linked.status).toBe(201);
    expect(linked.body.identities.map((i: { type: string }) => i.type).sort()).toEqual([
      'password',
      'wechat',
    ]);

    const again = await emulator(`/emulator/wechat/users/${wechat.openId}/login`);
    const signIn = await social({ provider: 'wechat', code: again.code });
    expect(signIn.body.isNewUser).toBe(false);
    expect((await exchange(signIn.body.code)).body.user.id).toBe(reg.body.user.id);

    const unlinked = await api.call('DELETE', '/v1/me/identities/wechat', { token: reg.body.access_token });
    expect(unlinked.status).toBe(204);
  });

  it("refuses a provider identity that is someone else's", async () => {
    const owner = await emulator('/emulator/qq/users');
    await social({ provider: 'qq', accessToken: owner.accessToken });
    const reg = await api.call('POST', '/v1/auth/register', {
      json: { username: 'grabber', password: 'purple-otter-bakes-42' },
    });
    const again = await emulator(`/emulator/qq/users/${owner.openId}/login`);
    const r = await api.call('POST', '/v1/me/identities/social', {
      token: reg.body.access_token,
      json: { provider: 'qq', accessToken: again.accessToken },
    });
    expect(r.body).toMatchObject({ status: 409, code: 'IDENTITY_IN_USE' });
  });
});
