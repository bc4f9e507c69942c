import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-06-01T08:00:00.000Z');
const PASSWORD = 'purple-otter-bakes-42';

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

async function smsSignIn(phone: string) {
  clock.advance(61);
  expect((await api.call('POST', '/v1/auth/sms/send', { json: { phone } })).status).toBe(202);
  const r = await api.call('POST', '/v1/auth/sms/verify', { json: { phone, code: latestCode(phone) } });
  expect(r.status).toBe(200);
  return r.body as { access_token: string; refresh_token: string };
}
const refresh = (token: string) =>
  api.call('POST', '/v1/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: token } });

describe('Unlinking an identity', () => {
  it('revokes the sessions that identity started, and keeps the others', async () => {
    // Prepare: two phone sessions, then a username + password and a password session.
    const phone = freshPhone();
    const first = await smsSignIn(phone);
    const second = await smsSignIn(phone);
    const added = await api.call('PUT', '/v1/me/password', {
      token: second.access_token,
      json: { username: 'unlinker', password: PASSWORD },
    });
    expect(added.status).toBe(204);
    const byPassword = await api.call('POST', '/v1/auth/login', {
      json: { username: 'unlinker', password: PASSWORD },
    });
    expect(byPassword.status).toBe(200);

    // Act: from the password session, the phone goes.
    const unlinked = await api.call('DELETE', '/v1/me/identities/phone', {
      token: byPassword.body.access_token,
    });

    // Assess
    expect(unlinked.status).toBe(204);
    expect((await refresh(first.refresh_token)).body.error).toBe('invalid_grant');
    expect((await refresh(second.refresh_token)).body.error).toBe('invalid_grant');
    const kept = await refresh(byPassword.body.refresh_token);
    expect(kept.status).toBe(200);
    const sessions = await api.call('GET', '/v1/me/sessions', { token: kept.body.access_token });
    expect(sessions.body.sessions).toHaveLength(1);
    const events = await api.call('GET', '/v1/me/events', { token: kept.body.access_token });
    const revoked = events.body.events.filter((e: { type: string }) => e.type === 'session.revoked');
    expect(revoked).toHaveLength(2);
    expect(revoked[0]).toMatchObject({ detail: { reason: 'identity_unlinked', type: 'phone' } });
  });
});
