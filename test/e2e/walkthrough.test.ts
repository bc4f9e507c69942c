import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('End to end over HTTP: the README walkthrough', () => {
  it('register → me → refresh → logout → refresh fails', async () => {
    const registered = await api.call('POST', '/v1/auth/register', {
      json: { username: 'Alice', password: 'purple-otter-bakes-42', displayName: 'Alice Liddell' },
    });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      user: { displayName: 'Alice Liddell', identities: [{ type: 'password', label: 'al***' }] },
    });

    const me = await api.call('GET', '/v1/me', { token: registered.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(registered.body.user.id);

    const refreshed = await api.call('POST', '/v1/oauth/token', {
      body: `grant_type=refresh_token&refresh_token=${registered.body.refresh_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(registered.body.refresh_token);

    const loggedOut = await api.call('POST', '/v1/auth/logout', { token: refreshed.body.access_token });
    expect(loggedOut.status).toBe(204);

    const after = await api.call('POST', '/v1/oauth/token', {
      json: { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token },
    });
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');

    const events = await api.call('GET', '/v1/me/events', { token: refreshed.body.access_token });
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual([
      'session.signed_out',
      'account.registered',
    ]);
  });

  it('phone sign-in: send → read the code from /_local/outbox → verify → me', async () => {
    const sent = await api.call('POST', '/v1/auth/sms/send', { json: { phone: '+86 139 1234 5678' } });
    expect(sent).toMatchObject({ status: 202, body: { expiresIn: 600, resendAfter: 60 } });
    const outbox = await api.call('GET', '/_local/outbox');
    const sms = outbox.body.messages.filter((m: { to: string }) => m.to === '+8613912345678').at(-1);
    expect(sms).toMatchObject({ channel: 'sms', attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional' } });
    const code = sms.message.match(/\d{6}/)[0];
    const verified = await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone: '+8613912345678', code },
    });
    expect(verified).toMatchObject({ status: 200, body: { isNewUser: true, token_type: 'Bearer' } });
    const me = await api.call('GET', '/v1/me', { token: verified.body.access_token });
    expect(me.body).toMatchObject({
      phone: '+8613912345678',
      identities: [{ type: 'phone', label: '+86 139****5678' }],
    });
  });

  it('serves the public keys and the OpenAPI document', async () => {
    const jwks = await api.call('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
    const doc = await api.call('GET', '/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
  });
});
