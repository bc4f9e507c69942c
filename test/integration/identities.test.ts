import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-04-01T08:00:00.000Z');
const PASSWORD = 'purple-otter-bakes-42';

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

async function codeFor(phone: string): Promise<string> {
  clock.advance(61);
  expect((await api.call('POST', '/v1/auth/sms/send', { json: { phone } })).status).toBe(202);
  return latestCode(phone);
}
async function phoneUser(phone = freshPhone()) {
  const r = await api.call('POST', '/v1/auth/sms/verify', { json: { phone, code: await codeFor(phone) } });
  expect(r.status).toBe(200);
  return { ...r.body, phone } as {
    access_token: string;
    refresh_token: string;
    user: { id: string };
    phone: string;
  };
}
let n = 0;
async function passwordUser() {
  n++;
  const r = await api.call('POST', '/v1/auth/register', { json: { username: `pw${n}`, password: PASSWORD } });
  return { ...r.body, username: `pw${n}` } as {
    access_token: string;
    refresh_token: string;
    username: string;
    user: { id: string };
  };
}

describe('A phone-first user adds a password', () => {
  it('then signs in with it, and the account lists both identities', async () => {
    const user = await phoneUser();
    clock.advance(1);
    const set = await api.call('PUT', '/v1/me/password', {
      token: user.access_token,
      json: { username: 'phonefirst', password: PASSWORD },
    });
    expect(set.status).toBe(204);
    const login = await api.call('POST', '/v1/auth/login', {
      json: { username: 'phonefirst', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(user.user.id);
    expect(login.body.user.identities.map((i: { type: string; label: string }) => [i.type, i.label])).toEqual(
      [
        ['phone', expect.stringMatching(/\*{4}/)],
        ['password', 'ph***'],
      ],
    );
  });

  it('needs a username, and a free one', async () => {
    const user = await phoneUser();
    const missing = await api.call('PUT', '/v1/me/password', {
      token: user.access_token,
      json: { password: PASSWORD },
    });
    expect(missing.body).toMatchObject({ status: 422, errors: [{ path: 'username' }] });
    await passwordUser();
    const taken = await api.call('PUT', '/v1/me/password', {
      token: user.access_token,
      json: { username: `pw${n}`, password: PASSWORD },
    });
    expect(taken.body).toMatchObject({ status: 409, code: 'USERNAME_TAKEN' });
  });
});

describe('Changing a password', () => {
  it('needs the current password and revokes the other sessions', async () => {
    const user = await passwordUser();
    const other = (
      await api.call('POST', '/v1/auth/login', { json: { username: user.username, password: PASSWORD } })
    ).body;
    const wrong = await api.call('PUT', '/v1/me/password', {
      token: user.access_token,
      json: { password: 'a-new-password-77', currentPassword: 'not-it-at-all' },
    });
    expect(wrong.body).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    const noCurrent = await api.call('PUT', '/v1/me/password', {
      token: user.access_token,
      json: { password: 'a-new-password-77' },
    });
    expect(noCurrent.body).toMatchObject({ status: 422, errors: [{ path: 'currentPassword' }] });

    const changed = await api.call('PUT', '/v1/me/password', {
      token: user.access_token,
      json: { password: 'a-new-password-77', currentPassword: PASSWORD },
    });
    expect(changed.status).toBe(204);
    const refreshOther = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: other.refresh_token },
    });
    expect(refreshOther.body.error).toBe('invalid_grant');
    const refreshMine = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: user.refresh_token },
    });
    expect(refreshMine.status).toBe(200);
    expect(
      (await api.call('POST', '/v1/auth/login', { json: { username: user.username, password: PASSWORD } }))
        .status,
    ).toBe(401);
    expect(
      (
        await api.call('POST', '/v1/auth/login', {
          json: { username: user.username, password: 'a-new-password-77' },
        })
      ).status,
    ).toBe(200);
  });
});

describe('Linking and unlinking', () => {
  it('links a phone to a password user, who then signs in with it', async () => {
    const user = await passwordUser();
    const phone = freshPhone();
    const linked = await api.call('POST', '/v1/me/identities/phone', {
      token: user.access_token,
      json: { phone, code: await codeFor(phone) },
    });
    expect(linked.status).toBe(201);
    expect(linked.body).toMatchObject({ phone, identities: [{ type: 'password' }, { type: 'phone' }] });
    const viaPhone = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone, code: await codeFor(phone) },
    });
    expect(viaPhone.body).toMatchObject({ isNewUser: false, user: { id: user.user.id } });
  });

  it("refuses a phone that is someone else's with 409", async () => {
    const owner = await phoneUser();
    const thief = await passwordUser();
    const r = await api.call('POST', '/v1/me/identities/phone', {
      token: thief.access_token,
      json: { phone: owner.phone, code: await codeFor(owner.phone) },
    });
    expect(r.body).toMatchObject({ status: 409, code: 'IDENTITY_IN_USE' });
  });

  it('never unlinks the last identity, even racing', async () => {
    const user = await phoneUser();
    const last = await api.call('DELETE', '/v1/me/identities/phone', { token: user.access_token });
    expect(last.body).toMatchObject({ status: 409, code: 'LAST_IDENTITY' });
    expect((await api.call('DELETE', '/v1/me/identities/wechat', { token: user.access_token })).status).toBe(
      404,
    );

    await api.call('PUT', '/v1/me/password', {
      token: user.access_token,
      json: { username: `race${n}`, password: PASSWORD },
    });
    const both = await Promise.all([
      api.call('DELETE', '/v1/me/identities/phone', { token: user.access_token }),
      api.call('DELETE', '/v1/me/identities/password', { token: user.access_token }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([204, 409]);
    const me = await api.call('GET', '/v1/me', { token: user.access_token });
    expect(me.body.identities).toHaveLength(1);
  });

  it('edits the profile and records every change in the history', async () => {
    const user = await phoneUser();
    clock.advance(1);
    const r = await api.call('PATCH', '/v1/me', {
      token: user.access_token,
      json: { displayName: 'Mei', email: 'mei@example.com', notifications: { sms: false } },
    });
    expect(r.body).toMatchObject({
      displayName: 'Mei',
      email: 'mei@example.com',
      emailConfirmed: false,
      notifications: { sms: false, email: true },
    });
    const bad = await api.call('PATCH', '/v1/me', {
      token: user.access_token,
      json: { email: 'not-an-email' },
    });
    expect(bad.body).toMatchObject({ status: 422, errors: [{ path: 'email' }] });
    const events = await api.call('GET', '/v1/me/events', { token: user.access_token });
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual([
      'profile.updated',
      'account.registered',
    ]);
  });
});
