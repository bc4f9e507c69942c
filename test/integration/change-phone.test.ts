import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-05-02T08:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

const sendCode = async (phone: string) => {
  clock.advance(61);
  const sent = await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
  expect(sent.status).toBe(202);
  return latestCode(phone);
};
const smsSignIn = async (phone: string) =>
  api.call('POST', '/v1/auth/sms/verify', { json: { phone, code: await sendCode(phone) } });
const changePhone = (token: string, phone: string, code: string) =>
  api.call('PUT', '/v1/me/phone', { token, json: { phone, code } });
const phoneIdentities = (user: { identities: { type: string }[] }) =>
  user.identities.filter((i) => i.type === 'phone');

describe('PUT /v1/me/phone', () => {
  it('replaces the phone identity and frees the old number at once', async () => {
    // Prepare: a phone account.
    const oldPhone = freshPhone();
    const newPhone = freshPhone();
    const owner = (await smsSignIn(oldPhone)).body;

    // Act
    const changed = await changePhone(owner.access_token, newPhone, await sendCode(newPhone));

    // Assess: one phone, the new one, on the profile and as the identity.
    expect(changed.status).toBe(200);
    expect(changed.body.phone).toBe(newPhone);
    expect(phoneIdentities(changed.body)).toHaveLength(1);
    expect(changed.body.identities).toHaveLength(1);
    // The new number signs in to the same account...
    const again = await smsSignIn(newPhone);
    expect(again.body).toMatchObject({ isNewUser: false, user: { id: owner.user.id } });
    // ...and the old number is free: someone else signs up with it.
    const recycled = await smsSignIn(oldPhone);
    expect(recycled.body.isNewUser).toBe(true);
    expect(recycled.body.user.id).not.toBe(owner.user.id);
    const events = await api.call('GET', '/v1/me/events', { token: again.body.access_token });
    expect(events.body.events.map((e: { type: string }) => e.type)).toContain('phone.changed');
  });

  it('is sensitive: a sign-in older than 10 minutes is 401 REAUTH_REQUIRED and nothing changes', async () => {
    const mine = freshPhone();
    const me = (await smsSignIn(mine)).body;
    clock.advance(11 * 60);
    const refreshed = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: me.refresh_token },
    });
    const target = freshPhone();

    const stale = await changePhone(refreshed.body.access_token, target, await sendCode(target));

    expect(stale).toMatchObject({ status: 401, body: { code: 'REAUTH_REQUIRED' } });
    const after = await api.call('GET', '/v1/me', { token: refreshed.body.access_token });
    expect(after.body.phone).toBe(mine);
  });

  it('refuses a number another account holds: 409 IDENTITY_IN_USE, nothing changed', async () => {
    const mine = freshPhone();
    const theirs = freshPhone();
    const me = (await smsSignIn(mine)).body;
    await smsSignIn(theirs);

    const taken = await changePhone(me.access_token, theirs, await sendCode(theirs));

    expect(taken).toMatchObject({ status: 409, body: { code: 'IDENTITY_IN_USE' } });
    const after = await api.call('GET', '/v1/me', { token: me.access_token });
    expect(after.body.phone).toBe(mine);
  });

  it('refuses a wrong code with 401 INVALID_CODE and a used code too', async () => {
    const me = (await smsSignIn(freshPhone())).body;
    const target = freshPhone();
    const code = await sendCode(target);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    expect((await changePhone(me.access_token, target, wrong)).body.code).toBe('INVALID_CODE');
    expect((await changePhone(me.access_token, target, code)).status).toBe(200);
    const other = (await smsSignIn(freshPhone())).body;
    const replay = await changePhone(other.access_token, target, code);
    expect(replay).toMatchObject({ status: 401, body: { code: 'INVALID_CODE' } });
  });

  it('gives a contested number to exactly one account when another claims it in parallel', async () => {
    for (let round = 0; round < 3; round++) {
      // Prepare: A moves to `contested` while B signs up with it, both holding the one live code.
      const aOld = freshPhone();
      const contested = freshPhone();
      const a = (await smsSignIn(aOld)).body;
      const b = (await smsSignIn(freshPhone())).body;
      const code = await sendCode(contested);

      // Act: A changes its phone, B links it and a stranger signs up with it, all at once.
      const [change, link, signUp] = await Promise.all([
        changePhone(a.access_token, contested, code),
        api.call('POST', '/v1/me/identities/phone', {
          token: b.access_token,
          json: { phone: contested, code },
        }),
        api.call('POST', '/v1/auth/sms/verify', { json: { phone: contested, code } }),
      ]);

      // Assess: one winner; the losers are clean 4xx answers.
      const winners = [change, link, signUp].filter((r) => r.status === 200 || r.status === 201);
      expect(winners).toHaveLength(1);
      for (const loser of [change, link, signUp].filter((r) => !winners.includes(r))) {
        expect([401, 409]).toContain(loser.status);
        expect(['INVALID_CODE', 'IDENTITY_IN_USE']).toContain(loser.body.code);
      }
      // The number signs in to the winner's account only.
      const owner = (await smsSignIn(contested)).body.user.id;
      const winnerId =
        change.status === 200 ? a.user.id : link.status === 201 ? b.user.id : signUp.body.user.id;
      expect(owner).toBe(winnerId);
      // A keeps exactly one phone: the new one if it won, the old one otherwise.
      const aNow = (await api.call('GET', '/v1/me', { token: a.access_token })).body;
      expect(phoneIdentities(aNow)).toHaveLength(1);
      expect(aNow.phone).toBe(change.status === 200 ? contested : aOld);
      const aOldOwner = (await smsSignIn(aOld)).body;
      expect(aOldOwner.user.id === a.user.id).toBe(change.status !== 200);
    }
  });
});
