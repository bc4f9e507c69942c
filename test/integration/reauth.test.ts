import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
// The provider emulator stamps id_tokens with the real time: the API's clock starts there too.
const clock = new ManualClock(new Date());
const PASSWORD = 'purple-otter-bakes-42';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const PKCE = { codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', codeChallengeMethod: 'S256' };
const STALE = 11 * 60;

beforeAll(async () => {
  api = await startTestApi({ clock, providers: true, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

type Grant = { access_token: string; refresh_token: string; user: { id: string } };

let n = 0;
async function passwordUser(): Promise<Grant & { username: string }> {
  n++;
  const username = `reauth${n}`;
  const r = await api.call('POST', '/v1/auth/register', { json: { username, password: PASSWORD } });
  expect(r.status).toBe(201);
  return { ...r.body, username };
}
async function smsCode(phone: string): Promise<string> {
  clock.advance(61);
  expect((await api.call('POST', '/v1/auth/sms/send', { json: { phone } })).status).toBe(202);
  return latestCode(phone);
}
async function phoneUser(phone = freshPhone()): Promise<Grant & { phone: string }> {
  const r = await api.call('POST', '/v1/auth/sms/verify', { json: { phone, code: await smsCode(phone) } });
  expect(r.status).toBe(200);
  return { ...r.body, phone };
}
async function googleIdToken(sub: string): Promise<{ idToken: string; nonce: string }> {
  const nonce = `nonce-${crypto.randomUUID()}`;
  const response = await fetch(`${api.providers?.url}/emulator/oidc/google/id-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nonce, sub, name: 'Gina' }),
  });
  return { idToken: ((await response.json()) as { idToken: string }).idToken, nonce };
}
async function googleUser(sub: string): Promise<Grant> {
  const started = await api.call('POST', '/v1/auth/social', {
    json: { provider: 'google', ...(await googleIdToken(sub)), ...PKCE },
  });
  expect(started.status).toBe(200);
  const grant = await api.call('POST', '/v1/oauth/token', {
    json: { grant_type: 'authorization_code', code: started.body.code, code_verifier: VERIFIER },
  });
  expect(grant.status).toBe(200);
  return grant.body;
}
const reauth = (token: string, json: unknown) => api.call('POST', '/v1/auth/reauth', { token, json });
/** A sensitive change that needs a fresh auth_time and changes nothing else that matters. */
const sensitiveCall = (token: string) =>
  api.call('PATCH', '/v1/me', { token, json: { email: `someone-${crypto.randomUUID()}@example.com` } });

describe('POST /v1/auth/reauth with the password', () => {
  it('answers a token response for the same session with a fresh auth_time, and the sensitive call works', async () => {
    // Prepare
    const user = await passwordUser();
    clock.advance(STALE);
    const refused = await sensitiveCall(user.access_token);
    expect(refused.body.code).toBe('REAUTH_REQUIRED');

    // Act
    const renewed = await reauth(user.access_token, { password: PASSWORD });

    // Assess
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get('cache-control')).toBe('no-store');
    expect(renewed.body).toMatchObject({ token_type: 'Bearer', user: { id: user.user.id } });
    const before = decodeJwt(user.access_token);
    const after = decodeJwt(renewed.body.access_token);
    expect(after.sid).toBe(before.sid);
    expect(after.auth_time).toBe(Math.floor(clock.now().getTime() / 1000));
    expect((await sensitiveCall(renewed.body.access_token)).status).toBe(200);
    // The old token of the same session stays stale: only the new one is fresh.
    expect((await sensitiveCall(user.access_token)).body.code).toBe('REAUTH_REQUIRED');
    // The refresh token rotated with it; the new one works and keeps the new auth_time.
    const refreshed = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: renewed.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token).auth_time).toBe(after.auth_time);
    const events = await api.call('GET', '/v1/me/events', { token: renewed.body.access_token });
    expect(
      events.body.events.find((e: { type: string }) => e.type === 'session.reauthenticated'),
    ).toMatchObject({
      type: 'session.reauthenticated',
      detail: { method: 'password' },
    });
  });

  it('refuses a wrong password with INVALID_CREDENTIALS, counts it, and locks like a sign-in', async () => {
    // Prepare
    const user = await passwordUser();

    // Act: five wrong passwords spend the allowance; the right one is then locked out too.
    const wrong = [];
    for (let i = 0; i < 5; i++) wrong.push(await reauth(user.access_token, { password: 'not-my-password' }));
    const right = await reauth(user.access_token, { password: PASSWORD });

    // Assess
    expect(wrong.map((r) => r.body.code)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('ACCOUNT_LOCKED');
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
    const login = await api.call('POST', '/v1/auth/login', {
      json: { username: user.username, password: PASSWORD },
    });
    expect(login.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('clears the count after a right password, as a sign-in does', async () => {
    const user = await passwordUser();
    for (let i = 0; i < 4; i++) await reauth(user.access_token, { password: 'not-my-password' });
    expect((await reauth(user.access_token, { password: PASSWORD })).status).toBe(200);
    for (let i = 0; i < 4; i++) await reauth(user.access_token, { password: 'not-my-password' });
    const login = await api.call('POST', '/v1/auth/login', {
      json: { username: user.username, password: PASSWORD },
    });
    expect(login.status).toBe(200);
  });

  it('refuses a password proof for an account without one', async () => {
    const user = await phoneUser();
    const r = await reauth(user.access_token, { password: PASSWORD });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('POST /v1/auth/reauth with an SMS code', () => {
  it('renews auth_time with a code to the account phone, and spends the code', async () => {
    // Prepare
    const user = await phoneUser();
    clock.advance(STALE);
    const code = await smsCode(user.phone);

    // Act
    const renewed = await reauth(user.access_token, { phone: user.phone, code });
    const again = await reauth(user.access_token, { phone: user.phone, code });

    // Assess
    expect(renewed.status).toBe(200);
    expect((await sensitiveCall(renewed.body.access_token)).status).toBe(200);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('INVALID_CODE');
  });

  it("refuses a code to another account's phone and leaves that code unspent", async () => {
    // Prepare: the attacker's own account, and a code to the victim's phone they somehow read.
    const attacker = await phoneUser();
    const victim = await phoneUser();
    const code = await smsCode(victim.phone);

    // Act
    const r = await reauth(attacker.access_token, { phone: victim.phone, code });

    // Assess: refused; the victim can still sign in with that very code.
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_CODE');
    const victimSignIn = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: victim.phone, code },
    });
    expect(victimSignIn.body.user.id).toBe(victim.user.id);
  });

  it('refuses a wrong code with INVALID_CODE', async () => {
    const user = await phoneUser();
    const code = await smsCode(user.phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const r = await reauth(user.access_token, { phone: user.phone, code: wrong });
    expect(r.body.code).toBe('INVALID_CODE');
  });
});

describe('POST /v1/auth/reauth with a social credential', () => {
  it('renews auth_time with a new id_token of the linked Google account', async () => {
    const sub = `1${Date.now()}1`;
    const user = await googleUser(sub);
    clock.advance(STALE);
    const r = await reauth(user.access_token, { provider: 'google', ...(await googleIdToken(sub)) });
    expect(r.status).toBe(200);
    expect((await sensitiveCall(r.body.access_token)).status).toBe(200);
  });

  it('refuses a Google account that is not a way into this one (401 PROVIDER_REJECTED)', async () => {
    const mine = await googleUser(`2${Date.now()}2`);
    const theirs = `3${Date.now()}3`;
    await googleUser(theirs);
    const stranger = `4${Date.now()}4`;
    for (const sub of [theirs, stranger]) {
      const r = await reauth(mine.access_token, { provider: 'google', ...(await googleIdToken(sub)) });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('PROVIDER_REJECTED');
    }
  });
});

describe('POST /v1/auth/reauth, refused outright', () => {
  it('is 401 INVALID_TOKEN on a signed-out session, even with the right password', async () => {
    const user = await passwordUser();
    await api.call('POST', '/v1/auth/logout', { token: user.access_token, json: {} });
    const r = await reauth(user.access_token, { password: PASSWORD });
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('INVALID_TOKEN');
  });

  it.each([
    ['no proof', {}],
    ['two proofs', { password: PASSWORD, phone: '+8613800138000', code: '123456' }],
    ['a phone without a code', { phone: '+8613800138000' }],
    ['an SMS code that is not six digits', { phone: '+8613800138000', code: '12ab' }],
  ])('is 422 VALIDATION_FAILED for %s', async (_name, body) => {
    const user = await passwordUser();
    const r = await reauth(user.access_token, body);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('VALIDATION_FAILED');
  });
});
