import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/test-runtime';

/**
 * Sign in with Apple's server-to-server notifications over HTTP: the Apple emulator signs each
 * event with Apple's keys and POSTs it to `POST /v1/apple/notifications`, as Apple does.
 */
let api: Awaited<ReturnType<typeof startTestApi>>;
const NONCE = 'nonce-1234567890';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

beforeAll(async () => {
  api = await startTestApi({ providers: true });
});
afterAll(async () => {
  await api.close();
});

const idp = async (path: string, body: unknown) => {
  const response = await fetch(`${api.providers?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
};
const notify = (sub: string, type: string, extra: Record<string, unknown> = {}) =>
  idp('/emulator/oidc/apple/notify', { sub, type, ...extra });

/** Signs in with Apple (a new account); the tokens of its session. */
async function appleUser() {
  const minted = (await idp('/emulator/oidc/apple/id-token', { nonce: NONCE, name: 'Ann' })) as {
    idToken: string;
    authorizationCode: string;
    sub: string;
  };
  const started = await api.call('POST', '/v1/auth/social', {
    json: {
      provider: 'apple',
      ...minted,
      nonce: NONCE,
      codeChallenge: CHALLENGE,
      codeChallengeMethod: 'S256',
    },
  });
  const tokens = await api.call('POST', '/v1/oauth/token', {
    json: { grant_type: 'authorization_code', code: started.body.code, code_verifier: VERIFIER },
  });
  return {
    sub: minted.sub,
    token: tokens.body.access_token as string,
    refreshToken: tokens.body.refresh_token as string,
  };
}
const refresh = (refreshToken: string) =>
  api.call('POST', '/v1/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: refreshToken } });

describe('POST /v1/apple/notifications', () => {
  it('refuses a payload not signed by Apple: 401 INVALID_APPLE_NOTIFICATION, nothing changed', async () => {
    // Prepare: the right claims, signed with a key that is not Apple's
    const user = await appleUser();
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ events: JSON.stringify({ type: 'consent-revoked', sub: user.sub }) })
      .setProtectedHeader({ alg: 'RS256', kid: 'apple-forged' })
      .setIssuer('https://appleid.apple.com')
      .setAudience('com.linkguard.app')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);

    // Act
    const r = await api.call('POST', '/v1/apple/notifications', { json: { payload: forged } });
    const garbage = await api.call('POST', '/v1/apple/notifications', { json: { payload: 'not.a.jwt' } });

    // Assess
    expect(r.body).toMatchObject({ status: 401, code: 'INVALID_APPLE_NOTIFICATION' });
    expect(garbage.body).toMatchObject({ status: 401, code: 'INVALID_APPLE_NOTIFICATION' });
    const me = await api.call('GET', '/v1/me', { token: user.token });
    expect(me.body.identities.map((i: { type: string }) => i.type)).toEqual(['apple']);
  });

  it('consent-revoked unlinks Apple and keeps the sessions of an account with another way in', async () => {
    // Prepare
    const user = await appleUser();
    const username = `ann${Date.now()}`;
    await api.call('PUT', '/v1/me/password', {
      token: user.token,
      json: { username, password: 'a long and unusual passphrase 42' },
    });

    // Act
    const sent = await notify(user.sub, 'consent-revoked');

    // Assess
    expect(sent.delivered).toBe(200);
    const me = await api.call('GET', '/v1/me', { token: user.token });
    expect(me.body.identities.map((i: { type: string }) => i.type)).toEqual(['password']);
    expect((await refresh(user.refreshToken)).status).toBe(200);
    const events = await api.call('GET', '/v1/me/events', { token: user.token });
    expect(events.body.events).toContainEqual(
      expect.objectContaining({
        type: 'identity.unlinked',
        detail: expect.objectContaining({ by: 'apple' }),
      }),
    );
  });

  it.each(['consent-revoked', 'account-delete'])(
    '%s unlinks Apple and revokes every session when Apple was the only way in',
    async (type) => {
      // Prepare
      const user = await appleUser();

      // Act
      const sent = await notify(user.sub, type);

      // Assess
      expect(sent.delivered).toBe(200);
      expect((await refresh(user.refreshToken)).body.error).toBe('invalid_grant');
      const sensitive = await api.call('DELETE', '/v1/me', { token: user.token });
      expect(sensitive.status).toBe(401);
      // The Apple subject is free: signing in again starts a new account.
      const again = (await idp('/emulator/oidc/apple/id-token', {
        nonce: 'nonce-again-12345',
        sub: user.sub,
      })) as Record<string, string>;
      const started = await api.call('POST', '/v1/auth/social', {
        json: {
          provider: 'apple',
          ...again,
          nonce: 'nonce-again-12345',
          codeChallenge: CHALLENGE,
          codeChallengeMethod: 'S256',
        },
      });
      expect(started.body.isNewUser).toBe(true);
    },
  );

  it('email-disabled stops alert emails to the relay address, email-enabled resumes them', async () => {
    // Prepare
    const user = await appleUser();
    const relay = `x${Date.now()}@privaterelay.appleid.com`;
    const patched = await api.call('PATCH', '/v1/me', {
      token: user.token,
      json: { email: relay, notifications: { email: true } },
    });
    expect(patched.status).toBe(200);

    // Act + Assess
    expect((await notify(user.sub, 'email-disabled', { email: relay })).delivered).toBe(200);
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.notifications.email).toBe(false);
    expect((await notify(user.sub, 'email-enabled', { email: relay })).delivered).toBe(200);
    expect((await api.call('GET', '/v1/me', { token: user.token })).body.notifications.email).toBe(true);
  });

  it('answers 200 and changes nothing for an Apple user it does not know, or another address', async () => {
    const user = await appleUser();
    expect((await notify('001999.unknown', 'consent-revoked')).delivered).toBe(200);
    expect((await notify(user.sub, 'email-disabled', { email: 'someone-else@example.com' })).delivered).toBe(
      200,
    );
    const me = await api.call('GET', '/v1/me', { token: user.token });
    expect(me.body.identities.map((i: { type: string }) => i.type)).toEqual(['apple']);
  });
});
