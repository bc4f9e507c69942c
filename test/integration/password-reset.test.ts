import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { freshPhone } from '../support/outbox';
import { phoneAccounts } from '../support/phone-accounts';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-05-01T08:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

const login = (username: string, password: string) =>
  api.call('POST', '/v1/auth/login', { json: { username, password } });
const { sendCode, passwordAccountWithPhone } = phoneAccounts(() => api);
const reset = (phone: string, code: string, password = NEW_PASSWORD) =>
  api.call('POST', '/v1/auth/password/reset', { json: { phone, code, password } });
const refresh = (refreshToken: string) =>
  api.call('POST', '/v1/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: refreshToken } });

/** A username + password account with a verified phone; returns its first sign-in. */
async function accountWithPhone() {
  const account = await passwordAccountWithPhone(PASSWORD, 'reset');
  clock.advance(61);
  return account;
}

describe('POST /v1/auth/password/reset', () => {
  it('recovers a username locked by 5 bad passwords: new password, lock cleared, other sessions revoked', async () => {
    // Prepare: the attacker's lockout-DoS (5 wrong passwords) locks the owner out.
    const { username, phone, first } = await accountWithPhone();
    for (let i = 0; i < 5; i++) expect((await login(username, 'wrong password!')).status).toBe(401);
    const locked = await login(username, PASSWORD);
    expect(locked).toMatchObject({ status: 429, body: { code: 'ACCOUNT_LOCKED' } });

    // Act: the owner proves their phone and sets a new password.
    const result = await reset(phone, await sendCode(phone));

    // Assess: signed in with a token response for the same user...
    expect(result.status).toBe(200);
    expect(result.headers.get('cache-control')).toBe('no-store');
    expect(result.body).toMatchObject({ token_type: 'Bearer', user: { id: first.user.id } });
    const me = await api.call('GET', '/v1/me', { token: result.body.access_token });
    expect(me.body.id).toBe(first.user.id);
    // ...the lock is gone and only the new password works...
    expect((await login(username, NEW_PASSWORD)).status).toBe(200);
    expect((await login(username, PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
    // ...the session from before the reset is dead, the reset's own session lives...
    expect((await refresh(first.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh(result.body.refresh_token)).status).toBe(200);
    // ...and the audit history says what happened.
    const events = await api.call('GET', '/v1/me/events', { token: result.body.access_token });
    const types = events.body.events.map((e: { type: string }) => e.type);
    expect(types).toContain('password.reset');
    expect(types).toContain('session.revoked');
  });

  it('takes a code once: a replay is 401 INVALID_CODE and changes nothing', async () => {
    const { username, phone } = await accountWithPhone();
    const code = await sendCode(phone);
    expect((await reset(phone, code)).status).toBe(200);

    const replay = await reset(phone, code, 'the attacker password');

    expect(replay).toMatchObject({ status: 401, body: { code: 'INVALID_CODE' } });
    expect((await login(username, NEW_PASSWORD)).status).toBe(200);
    expect((await login(username, 'the attacker password')).status).toBe(401);
  });

  it('gives one reset for 5 parallel requests with the same code', async () => {
    const { phone } = await accountWithPhone();
    const code = await sendCode(phone);

    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => reset(phone, code, `${NEW_PASSWORD} ${i}`)),
    );

    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.code).toBe('INVALID_CODE');
  });

  it('refuses a common password before spending the code', async () => {
    const { username, phone } = await accountWithPhone();
    const code = await sendCode(phone);

    const common = await reset(phone, code, 'password123');

    expect(common).toMatchObject({ status: 422, body: { code: 'PASSWORD_TOO_COMMON' } });
    expect((await reset(phone, code)).status).toBe(200);
    expect((await login(username, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses wrong codes, and kills the code after 5 of them', async () => {
    const { phone } = await accountWithPhone();
    const code = await sendCode(phone);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    for (let i = 0; i < 4; i++) expect((await reset(phone, wrong)).body.code).toBe('INVALID_CODE');
    const fifth = await reset(phone, wrong);

    expect(fifth).toMatchObject({ status: 429, body: { code: 'TOO_MANY_ATTEMPTS' } });
    expect((await reset(phone, code)).body.code).toBe('TOO_MANY_ATTEMPTS');
  });

  it('answers 404 NO_PASSWORD_IDENTITY for a phone-only account and leaves its code for sign-in', async () => {
    const phone = freshPhone();
    await api.call('POST', '/v1/auth/sms/verify', { json: { phone, code: await sendCode(phone) } });
    clock.advance(61);
    const code = await sendCode(phone);

    const result = await reset(phone, code);

    expect(result).toMatchObject({ status: 404, body: { code: 'NO_PASSWORD_IDENTITY' } });
    expect((await api.call('POST', '/v1/auth/sms/verify', { json: { phone, code } })).status).toBe(200);
  });

  it('validates the body with stable codes', async () => {
    expect((await reset('+8613800000000', '12', NEW_PASSWORD)).body.code).toBe('VALIDATION_FAILED');
    expect((await reset('+8613800000000', '123456', 'short')).body.code).toBe('VALIDATION_FAILED');
    expect((await reset('12345', '123456')).body.code).toBe('INVALID_PHONE');
  });
});
