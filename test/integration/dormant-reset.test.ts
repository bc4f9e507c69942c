import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { OffsetClock } from '../../local/clock';
import { phoneAccounts } from '../support/phone-accounts';
import { startTestApi } from '../support/test-runtime';

/**
 * Password reset by SMS on a recycled number: the new holder of a dormant account's number, who
 * knows (or guesses) its username, must not reset the password and take the account over.
 */

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new OffsetClock();

beforeAll(async () => {
  api = await startTestApi({ clock, providers: true, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

const PASSWORD = 'the owner passphrase';
const ATTACKER_PASSWORD = 'the new holder passphrase';
const { sendCode, advanceDays, passwordAccountWithPhone } = phoneAccounts(() => api);
const reset = (phone: string, code: string, password = ATTACKER_PASSWORD) =>
  api.call('POST', '/v1/auth/password/reset', { json: { phone, code, password } });
const login = (username: string, password: string) =>
  api.call('POST', '/v1/auth/login', { json: { username, password } });
/** The `password_reset` security notices texted to `phone`. */
const resetNotices = (phone: string) =>
  localOutbox.messages.filter((m) => m.to === phone && m.message.includes('password was reset'));
const eventTypes = async (token: string) =>
  (await api.call('GET', '/v1/me/events', { token })).body.events.map((e: { type: string }) => e.type);

/** A username + password account with a verified phone (and nothing else), last used now. */
const passwordAndPhoneAccount = () => passwordAccountWithPhone(PASSWORD, 'recycled');

/** The same, with Google linked as another way in. */
async function accountWithGoogle() {
  const owner = await passwordAndPhoneAccount();
  const minted = await fetch(`${api.providers?.url}/emulator/oidc/google/id-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sub: `g-${owner.username}`,
      email: `${owner.username}@example.com`,
      nonce: 'nonce-recycled-1',
    }),
  }).then((r) => r.json() as Promise<{ idToken: string }>);
  const linked = await api.call('POST', '/v1/me/identities/social', {
    token: owner.first.access_token,
    json: { provider: 'google', idToken: minted.idToken, nonce: 'nonce-recycled-1' },
  });
  expect(linked.status).toBe(201);
  return owner;
}

describe('Password reset by SMS on a recycled number', () => {
  it('refuses the new holder of a dormant account’s number: 409 PHONE_REVERIFY_REQUIRED, nothing changed', async () => {
    // Prepare: the owner stops using the account (password, phone and Google); 181 days later
    // the carrier has handed the number to someone who knows the username.
    const owner = await accountWithGoogle();
    await advanceDays(181);
    const code = await sendCode(owner.phone);

    // Act: the new holder resets the password with the code texted to "their" number.
    const attempt = await reset(owner.phone, code);

    // Assess: held like an SMS sign-in, no token...
    expect(attempt.status).toBe(409);
    expect(attempt.body).toMatchObject({ code: 'PHONE_REVERIFY_REQUIRED', ways: ['password', 'google'] });
    expect(attempt.body.access_token).toBeUndefined();
    // ...the code is spent: neither a second reset nor an SMS sign-in can use it...
    expect((await reset(owner.phone, code)).body.code).toBe('INVALID_CODE');
    const signIn = await api.call('POST', '/v1/auth/sms/verify', { json: { phone: owner.phone, code } });
    expect(signIn.body.code).toBe('INVALID_CODE');
    // ...the challenge needs the account's password (one guess), it does not reset anything...
    const guessed = await api.call('POST', '/v1/auth/sms/reverify', {
      json: { challenge: attempt.body.challenge, password: ATTACKER_PASSWORD },
    });
    expect(guessed.body.code).toBe('INVALID_CREDENTIALS');
    // ...the password is unchanged, and nothing was reset or revoked.
    expect((await login(owner.username, ATTACKER_PASSWORD)).status).toBe(401);
    const back = await login(owner.username, PASSWORD);
    expect(back.status).toBe(200);
    const types = await eventTypes(back.body.access_token);
    expect(types).toContain('login.reverify_required');
    expect(types).not.toContain('password.reset');
    expect(types).not.toContain('session.revoked');
    expect(resetNotices(owner.phone)).toEqual([]);
  });

  it('holds a dormant password + phone account with no other way in and no banks too', async () => {
    // The password is a way in besides the phone: SMS sign-in is held for this account, so a
    // reset (which signs in) must be held as well, or it would be the way around the hold.
    const owner = await passwordAndPhoneAccount();
    await advanceDays(181);

    const attempt = await reset(owner.phone, await sendCode(owner.phone));

    expect(attempt).toMatchObject({
      status: 409,
      body: { code: 'PHONE_REVERIFY_REQUIRED', ways: ['password'] },
    });
    expect((await login(owner.username, PASSWORD)).status).toBe(200);
    expect((await login(owner.username, ATTACKER_PASSWORD)).status).toBe(401);
  });

  it('leaves the new holder the way SMS sign-in gives: a new account that takes the number over', async () => {
    const owner = await passwordAndPhoneAccount();
    await advanceDays(181);
    const held = await reset(owner.phone, await sendCode(owner.phone));

    const fresh = await api.call('POST', '/v1/auth/sms/reverify', {
      json: { challenge: held.body.challenge, newAccount: true },
    });

    expect(fresh.status).toBe(200);
    expect(fresh.body.user.id).not.toBe(owner.userId);
    const login2 = await login(owner.username, PASSWORD);
    expect(login2.body.user).toMatchObject({ id: owner.userId });
    expect(login2.body.user.phone).toBeUndefined();
  });

  it('still resets an account used within the dormancy period', async () => {
    const owner = await passwordAndPhoneAccount();
    await advanceDays(179);

    const result = await reset(owner.phone, await sendCode(owner.phone), 'a fresh owner passphrase');

    expect(result.status).toBe(200);
    expect(result.body.user.id).toBe(owner.userId);
    expect((await login(owner.username, 'a fresh owner passphrase')).status).toBe(200);
    // The owner is told, once, on the phone (and the alert topic).
    expect(resetNotices(owner.phone)).toHaveLength(1);
  });

  it('resets once the owner has used the account again (a sign-in ends the dormancy)', async () => {
    const owner = await passwordAndPhoneAccount();
    await advanceDays(181);
    expect((await login(owner.username, PASSWORD)).status).toBe(200);

    const result = await reset(owner.phone, await sendCode(owner.phone), 'a fresh owner passphrase');

    expect(result.status).toBe(200);
  });
});
