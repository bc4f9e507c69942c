import { createHash } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { linkBank, phoneUser, plaidControl, pollAll } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  api = await startTestApi({ clock, plaid: { now: () => clock.now() }, env: { SMS_PER_IP_HOURLY: '1000' } });
});
afterAll(async () => {
  await api.close();
});

const get = (path: string, token: string) => api.call('GET', path, { token });

describe('Webhook ordering over HTTP, with Plaid’s retries (fresh iat)', () => {
  it('a retried ERROR arriving after a verified in-app repair does not reopen the episode', async () => {
    // Prepare: a forged kid spends the unknown-kid budget, so Plaid's first delivery of the ERROR
    // (signed by a key we have not cached yet) is answered 401 and Plaid will retry it.
    const user = await phoneUser(api, latestCode);
    const { body: linked } = await linkBank(api, user.token);
    const forgedBody = '{}';
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({
      request_body_sha256: createHash('sha256').update(forgedBody).digest('hex'),
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'forged-kid' })
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
      .sign(privateKey);
    await api.call('POST', '/v1/plaid/webhook', {
      body: forgedBody,
      headers: { 'content-type': 'application/json', 'Plaid-Verification': forged },
    });
    await plaidControl(api, `/emulator/items/${linked.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await api.plaid?.webhooksSettled();
    const first = [...(api.plaid?.webhooks() ?? [])].find(
      (w) => w.itemId === linked.itemId && w.webhookCode === 'ERROR',
    );
    // The poller finds the break (one alert); the user repairs in the app, verified by the repair call.
    await pollAll(api);
    const broken = (await get(`/v1/plaid/items/${linked.itemId}`, user.token)).body;
    const update = await api.call('POST', `/v1/plaid/items/${linked.itemId}/link-token`, {
      token: user.token,
    });
    await plaidControl(api, '/emulator/link/complete', { linkToken: update.body.linkToken });
    const repaired = await api.call('POST', `/v1/plaid/items/${linked.itemId}/repair`, {
      token: user.token,
      json: {},
    });

    // Act: Plaid's retry comes: the same bytes, signed anew (its iat is after the repair).
    clock.advance(61);
    await plaidControl(api, '/emulator/clock', { advanceSeconds: 0 });
    await api.plaid?.webhooksSettled();
    const retry = [...(api.plaid?.webhooks() ?? [])].find((w) => w.retryOf === first?.id);

    // Assess
    expect(first).toMatchObject({ outcome: 'failed', status: 401 });
    expect(broken).toMatchObject({ status: 'login_required' });
    expect(repaired).toMatchObject({ status: 200, body: { status: 'healthy' } });
    expect(retry).toMatchObject({ outcome: 'delivered', status: 200, body: first?.body });
    expect(retry?.verification).not.toBe(first?.verification);
    expect((await get(`/v1/plaid/items/${linked.itemId}`, user.token)).body).toMatchObject({
      status: 'healthy',
      needsAction: false,
    });
    const events = (await get(`/v1/plaid/items/${linked.itemId}/events`, user.token)).body.events as {
      type: string;
      detail?: string;
    }[];
    expect(events[0]).toMatchObject({ type: 'observation_ignored', source: 'webhook' });
    expect(events[0]?.detail).toMatch(/not confirmed/);
    const texts = localOutbox.messages.filter(
      (m) => m.channel === 'sms' && m.to === user.phone && m.message.startsWith('LinkGuard:'),
    );
    expect(texts).toHaveLength(1);
  });
});
