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
});
