import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock('2026-05-03T08:00:00.000Z');

beforeAll(async () => {
  api = await startTestApi({ clock, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

async function phoneUser() {
  const phone = freshPhone();
  await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
  const signedIn = await api.call('POST', '/v1/auth/sms/verify', {
    json: { phone, code: latestCode(phone) },
  });
  return { token: signedIn.body.access_token as string, userId: signedIn.body.user.id as string, phone };
}
const patch = (token: string, json: unknown) => api.call('PATCH', '/v1/me', { token, json });

describe('PATCH /v1/me with email and notifications together', () => {
  it('stores the address as the email and the flag as the channel', async () => {
    const user = await phoneUser();

    const patched = await patch(user.token, { email: 'both@example.com', notifications: { email: true } });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ email: 'both@example.com', notifications: { email: true } });
    const me = await api.call('GET', '/v1/me', { token: user.token });
    expect(me.body).toMatchObject({ email: 'both@example.com', notifications: { email: true } });
  });
});
