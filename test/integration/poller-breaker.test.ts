import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { plaidItems } from '../../functions/composition/bank-links';
import { configureRuntime } from '../../functions/composition/runtime';
import { linkBank, phoneUser, plaidControl, pollAll } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
/** The names of the EMF metrics written to stdout. */
let metrics: string[] = [];

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  api = await startTestApi({
    clock,
    plaid: { now: () => clock.now() },
    env: { SMS_PER_IP_HOURLY: '1000', POWERTOOLS_METRICS_DISABLED: 'false', POLLER_BREAKER_FAULTS: '3' },
  });
  await plaidControl(api, '/emulator/webhooks', { enabled: false });
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.includes('"_aws"')) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    for (const line of text.split('\n').filter(Boolean)) {
      const emf = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
      for (const directive of emf._aws.CloudWatchMetrics)
        for (const metric of directive.Metrics) metrics.push(metric.Name);
    }
    return true;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await api.close();
});

describe('The poller under a wrong Plaid secret (an operator fault, not a user fault)', () => {
  it('changes no Item, pauses after 3 faults in a pass, emits the alarm metrics, and resumes after the pause', async () => {
    // Prepare: five healthy Items, then the secret is rotated at Plaid but not here.
    const user = await phoneUser(api, latestCode);
    const itemIds: string[] = [];
    for (const institution of ['ins_109508', 'ins_109509', 'ins_109510', 'ins_109511', 'ins_109512']) {
      const { body } = await linkBank(api, user.token, institution);
      itemIds.push(body.itemId);
    }
    /** Each Item as stored, with its history. */
    const read = async () =>
      Promise.all(
        itemIds.map(async (id) => ({
          item: await plaidItems().get(id),
          events: (await plaidItems().listEvents(id, { limit: 25 })).events,
        })),
      );
    const before = await read();
    configureRuntime({ env: { ...api.env, PLAID_SECRET: 'rotated-elsewhere' }, clock });
    metrics = [];

    // Act: a pass meets INVALID_API_KEYS for every Item; the next pass finds the poller paused.
    clock.advance(86400 * 2);
    const first = await pollAll(api);
    const second = await pollAll(api);

    // Assess: no Item changed (status, error, history), the breaker tripped, the metrics went out.
    expect(await read()).toEqual(before);
    expect(first).toMatchObject({ checked: 0, changed: 0, notified: 0 });
    expect(second).toMatchObject({ checked: 0, paused: true });
    expect(metrics.filter((m) => m === 'PlaidOperatorFault').length).toBeGreaterThanOrEqual(3);
    expect(metrics).toContain('PollerPaused');

    // Act: the secret is fixed; after the pause (60 minutes by default) the poller runs again.
    configureRuntime({ env: api.env, clock });
    clock.advance(61 * 60);
    const resumed = await pollAll(api);

    // Assess
    expect(resumed).toMatchObject({ checked: 5 });
  });

  it('an operator fault met confirming LOGIN_REPAIRED or during a repair changes nothing, answers 503, and the breaker counts it (issue 11)', async () => {
    // Prepare: a broken Item; the clock at the start of an hour (faults outside a pass count per hour).
    clock.advance(3600 - ((clock.now().getTime() / 1000) % 3600) + 60);
    const user = await phoneUser(api, latestCode);
    const { body: linked } = await linkBank(api, user.token, 'ins_109508');
    const itemId = linked.itemId as string;
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await pollAll(api);
    const before = await plaidItems().get(itemId);
    const historyBefore = (await plaidItems().listEvents(itemId, { limit: 25 })).events;
    metrics = [];

    // Act: the user repairs at the bank (Plaid's LOGIN_REPAIRED), but Plaid refuses our access
    // token to the confirming /item/get; then the app's repair meets a wrong secret, then the token.
    await plaidControl(api, '/emulator/webhooks', { enabled: true });
    await plaidControl(api, '/emulator/outage', {
      path: '/item/get',
      errorCode: 'INVALID_ACCESS_TOKEN',
      times: 1,
    });
    await plaidControl(api, `/emulator/items/${itemId}/webhook`, { webhookCode: 'LOGIN_REPAIRED' });
    await api.plaid?.webhooksSettled();
    await plaidControl(api, '/emulator/webhooks', { enabled: false });
    const afterWebhook = await plaidItems().get(itemId);
    await plaidControl(api, '/emulator/outage', {
      path: '/item/get',
      errorCode: 'INVALID_API_KEYS',
      times: 1,
    });
    const wrongSecret = await api.call('POST', `/v1/plaid/items/${itemId}/repair`, { token: user.token });
    await plaidControl(api, '/emulator/outage', {
      path: '/item/get',
      errorCode: 'INVALID_ACCESS_TOKEN',
      times: 1,
    });
    const wrongToken = await api.call('POST', `/v1/plaid/items/${itemId}/repair`, { token: user.token });
    const pass = await pollAll(api);

    // Assess: the Item and its history are untouched (no "restored", no verdict), both repairs
    // are 503 (never 409 STILL_BROKEN), and the three faults of the hour paused the poller.
    expect(afterWebhook).toEqual(before);
    expect(await plaidItems().get(itemId)).toEqual(before);
    expect(before).toMatchObject({ status: 'login_required' });
    expect((await plaidItems().listEvents(itemId, { limit: 25 })).events).toEqual(historyBefore);
    expect(wrongSecret).toMatchObject({ status: 503, body: { code: 'PLAID_NOT_CONFIGURED' } });
    expect(wrongToken).toMatchObject({ status: 503, body: { code: 'PLAID_UNAVAILABLE' } });
    expect(wrongToken.headers.get('retry-after')).toBe('30');
    expect(metrics.filter((m) => m === 'PlaidOperatorFault')).toHaveLength(3);
    expect(metrics).toContain('PollerPaused');
    expect(pass).toMatchObject({ checked: 0, paused: true });
  });
});
