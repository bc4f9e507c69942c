import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { linkBank, phoneUser, plaidControl } from '../support/bank';
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
    // Prepare: Plaid's first delivery of the ERROR times out (Plaid will retry it), the user
    // repairs the Item in the app meanwhile, and the repair is verified.
    const user = await phoneUser(api, latestCode);
    const { body: linked } = await linkBank(api, user.token);
    await plaidControl(api, '/emulator/config', { webhookTimeoutMs: 0 });
    await plaidControl(api, `/emulator/items/${linked.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await api.plaid?.webhooksSettled();
    await plaidControl(api, '/emulator/config', { webhookTimeoutMs: 2000 });
    const first = [...(api.plaid?.webhooks() ?? [])].find(
      (w) => w.itemId === linked.itemId && w.webhookCode === 'ERROR',
    );
    clock.advance(5);
    const update = await api.call('POST', `/v1/plaid/items/${linked.itemId}/link-token`, {
      token: user.token,
    });
    await plaidControl(api, '/emulator/link/complete', { linkToken: update.body.linkToken });
    const repaired = await api.call('POST', `/v1/plaid/items/${linked.itemId}/repair`, {
      token: user.token,
      json: {},
    });

    // Act: Plaid's retry is due 30 s after the first attempt: same bytes, a freshly signed iat.
    clock.advance(31);
    await plaidControl(api, '/emulator/clock', { advanceSeconds: 0 });
    await api.plaid?.webhooksSettled();
    const retry = [...(api.plaid?.webhooks() ?? [])].find((w) => w.retryOf === first?.id);

    // Assess: the retry reached us and was answered 200, the Item stays healthy, and the user got
    // no new alert after the repair.
    expect(first?.outcome).toBe('failed');
    expect(repaired.status).toBe(200);
    expect(retry).toMatchObject({ outcome: 'delivered', status: 200, body: first?.body });
    expect(retry?.verification).not.toBe(first?.verification);
    const item = (await get(`/v1/plaid/items/${linked.itemId}`, user.token)).body;
    expect(item).toMatchObject({ status: 'healthy', needsAction: false });
    const events = (await get(`/v1/plaid/items/${linked.itemId}/events`, user.token)).body.events as {
      type: string;
      detail?: string;
    }[];
    expect(events[0]).toMatchObject({ type: 'observation_ignored' });
    expect(events[0]?.detail).toMatch(/not confirmed/);
    // Whether the timed-out first delivery reached us or not, at most one episode ever opened.
    const texts = localOutbox.messages.filter(
      (m) => m.channel === 'sms' && m.to === user.phone && m.message.startsWith('LinkGuard:'),
    );
    expect(texts.length).toBeLessThanOrEqual(1);
  });
});
