import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetClock } from '../../local/clock';
import { freshPhone } from '../support/outbox';
import { phoneAccounts } from '../support/phone-accounts';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new OffsetClock();

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

const PASSWORD = 'a dormant but strong passphrase';
const { sendCode, advanceDays, passwordAccountWithPhone: withPhone } = phoneAccounts(() => api);
const verify = async (phone: string) =>
  api.call('POST', '/v1/auth/sms/verify', { json: { phone, code: await sendCode(phone) } });
const reverify = (json: Record<string, unknown>) => api.call('POST', '/v1/auth/sms/reverify', { json });

/** An account with a username and password and a phone, last used now. */
const passwordAccountWithPhone = () => withPhone(PASSWORD, 'dormant');

describe('Recycled phone numbers', () => {
  it('holds an SMS sign-in to an account unused for 181 days with another way in: 409 with a challenge', async () => {
    // Prepare: the owner stops using the account; the carrier recycles the number.
    const owner = await passwordAccountWithPhone();
    await advanceDays(181);

    // Act: the number's new holder signs in with a code.
    const held = await verify(owner.phone);

    // Assess: the code proves the number only; the account is not opened.
    expect(held.status).toBe(409);
    expect(held.body).toMatchObject({
      code: 'PHONE_REVERIFY_REQUIRED',
      expiresIn: 600,
      ways: ['password'],
    });
    expect(held.body.challenge).toMatch(/^[\w-]{40,}$/);
    expect(held.body.access_token).toBeUndefined();
  });

  it('lets the real owner finish with the password, after which SMS works again', async () => {
    const owner = await passwordAccountWithPhone();
    await advanceDays(181);
    const held = await verify(owner.phone);

    const finished = await reverify({ challenge: held.body.challenge, password: PASSWORD });

    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ isNewUser: false, user: { id: owner.userId } });
    // The challenge works once.
    expect((await reverify({ challenge: held.body.challenge, password: PASSWORD })).body.code).toBe(
      'INVALID_CODE',
    );
    // Used again, the account is no longer dormant: the next SMS sign-in goes straight in.
    await advanceDays(1);
    const again = await verify(owner.phone);
    expect(again.body).toMatchObject({ isNewUser: false, user: { id: owner.userId } });
  });

  it('gives a wrong password one try per challenge', async () => {
    const owner = await passwordAccountWithPhone();
    await advanceDays(181);
    const held = await verify(owner.phone);

    const wrong = await reverify({ challenge: held.body.challenge, password: 'not the password at all' });
    const right = await reverify({ challenge: held.body.challenge, password: PASSWORD });

    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(right.body.code).toBe('INVALID_CODE');
  });

  it('lets the new holder start a new account that takes the number over and detaches it from the old one', async () => {
    const owner = await passwordAccountWithPhone();
    await advanceDays(181);
    const held = await verify(owner.phone);

    const fresh = await reverify({ challenge: held.body.challenge, newAccount: true });

    // Assess: a new, empty account with the number...
    expect(fresh.status).toBe(200);
    expect(fresh.body.isNewUser).toBe(true);
    expect(fresh.body.user.id).not.toBe(owner.userId);
    expect(fresh.body.user).toMatchObject({ phone: owner.phone, identities: [{ type: 'phone' }] });
    // ...the number now signs in to it...
    await advanceDays(1);
    expect((await verify(owner.phone)).body.user.id).toBe(fresh.body.user.id);
    // ...and the old account keeps its password, without the phone.
    const login = await api.call('POST', '/v1/auth/login', {
      json: { username: owner.username, password: PASSWORD },
    });
    expect(login.body.user.id).toBe(owner.userId);
    expect(login.body.user.phone).toBeUndefined();
    expect(login.body.user.identities.map((i: { type: string }) => i.type)).toEqual(['password']);
  });

  it('signs in as before when the account was used within 180 days, or has no other way in', async () => {
    const active = await passwordAccountWithPhone();
    const phoneOnly = freshPhone();
    const phoneOnlyUser = (await verify(phoneOnly)).body.user.id;
    await advanceDays(179);

    expect((await verify(active.phone)).body.user.id).toBe(active.userId);
    await advanceDays(2);
    // A phone-only account with no banks: the number is all there is to it.
    expect((await verify(phoneOnly)).body.user.id).toBe(phoneOnlyUser);
  });

  it('counts a refresh as use', async () => {
    const owner = await passwordAccountWithPhone();
    const login = await api.call('POST', '/v1/auth/login', {
      json: { username: owner.username, password: PASSWORD },
    });
    let refreshToken = login.body.refresh_token as string;
    // Refreshed every 20 days, the session stays alive (30-day idle expiry) for 90 days.
    for (let i = 0; i < 4; i++) {
      await advanceDays(20);
      const refreshed = await api.call('POST', '/v1/oauth/token', {
        json: { grant_type: 'refresh_token', refresh_token: refreshToken },
      });
      expect(refreshed.status).toBe(200);
      refreshToken = refreshed.body.refresh_token;
    }
    // Last sign-in 181 days ago, last refresh 101 days ago: not dormant.
    await advanceDays(101);

    expect((await verify(owner.phone)).body.user.id).toBe(owner.userId);
  });

  it('refuses a made-up challenge and a body with both or neither proof', async () => {
    expect((await reverify({ challenge: 'x'.repeat(43), newAccount: true })).body.code).toBe('INVALID_CODE');
    expect((await reverify({ challenge: 'x'.repeat(43) })).body.code).toBe('VALIDATION_FAILED');
    expect((await reverify({ challenge: 'x'.repeat(43), password: 'p', newAccount: true })).body.code).toBe(
      'VALIDATION_FAILED',
    );
  });
});
