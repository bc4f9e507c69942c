import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../functions/adapters/metric-catalog';
import { linkBank, phoneUser, plaidControl } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { freshPhone, latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/** One metric from an EMF line on stdout: its name, its dimensions and its value. */
interface Emitted {
  name: string;
  dimensions: Record<string, string>;
  value: unknown;
}

let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
let lines: string[] = [];

/** Every metric the EMF lines written since the last reset carry, validated as CloudWatch reads them. */
function emitted(): Emitted[] {
  return lines.flatMap((line) => {
    if (!line.startsWith('{') || !line.includes('"_aws"')) return [];
    const emf = JSON.parse(line) as {
      _aws: {
        Timestamp: number;
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string; Unit: string }[];
        }[];
      };
      [member: string]: unknown;
    };
    return emf._aws.CloudWatchMetrics.flatMap((directive) => {
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      const dimensionNames = directive.Dimensions.flat();
      return directive.Metrics.map((metric) => {
        expect(metric.Unit).toBe('Count');
        return {
          name: metric.Name,
          dimensions: Object.fromEntries(dimensionNames.map((d) => [d, String(emf[d])])),
          value: emf[metric.Name],
        };
      });
    });
  });
}

/** The dimensions of each `name` metric emitted, without Powertools' `service`. */
const of = (name: string) =>
  emitted()
    .filter((m) => m.name === name)
    .map(({ dimensions: { service, ...rest }, value }) => {
      expect(service).toBe('linkguard');
      expect(value).toBe(1);
      return rest;
    });

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  api = await startTestApi({
    clock,
    plaid: {},
    env: { SMS_PER_IP_HOURLY: '1000', POWERTOOLS_METRICS_DISABLED: 'false' },
  });
  await plaidControl(api, '/emulator/webhooks', { enabled: false });
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('"_aws"')) {
      lines.push(...text.split('\n').filter(Boolean));
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
});
beforeEach(() => {
  lines = [];
});
afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await api.close();
});

describe('Operational metrics (EMF on stdout)', () => {
  it('counts password sign-ups, sign-ins by outcome, and one lockout when a lock is set', async () => {
    // Prepare
    await api.call('POST', '/v1/auth/register', {
      json: { username: 'metrics_dora', password: 'purple-otter-bakes-42' },
    });
    await api.call('POST', '/v1/auth/login', {
      json: { username: 'metrics_dora', password: 'purple-otter-bakes-42' },
    });

    // Act: five wrong passwords lock the username; the sixth attempt is refused as locked.
    for (let i = 0; i < 6; i++) {
      await api.call('POST', '/v1/auth/login', {
        json: { username: 'metrics_dora', password: 'wrong-password-1' },
      });
    }
    // An unknown username is locked, and counted, like a known one.
    for (let i = 0; i < 5; i++) {
      await api.call('POST', '/v1/auth/login', {
        json: { username: 'metrics_nobody', password: 'wrong-password-1' },
      });
    }

    // Assess
    expect(of(METRIC.signUp.name)).toEqual([{ Method: 'password' }]);
    const signIns = of(METRIC.signIn.name);
    expect(signIns.filter((d) => d.Outcome === 'succeeded')).toEqual([
      { Method: 'password', Outcome: 'succeeded' },
    ]);
    expect(signIns.filter((d) => d.Outcome === 'INVALID_CREDENTIALS')).toHaveLength(10);
    expect(signIns.filter((d) => d.Outcome === 'ACCOUNT_LOCKED')).toHaveLength(1);
    expect(of(METRIC.lockout.name)).toEqual([{}, {}]);
    // The unknown username's failures write no audit event: the metric is their only trace.
    expect(of(METRIC.unknownUsernameLogin.name)).toHaveLength(5);
  });

  it('counts a refresh-token reuse once, and not a replay within the grace window', async () => {
    // Prepare
    const signedUp = await api.call('POST', '/v1/auth/register', {
      json: { username: 'metrics_reuse', password: 'purple-otter-bakes-42' },
    });
    const refresh = (token: string) =>
      api.call('POST', '/v1/oauth/token', { json: { grant_type: 'refresh_token', refresh_token: token } });
    const first = await refresh(signedUp.body.refresh_token);
    expect(first.status).toBe(200);
    await refresh(signedUp.body.refresh_token); // within the grace window: no reuse
    expect(of(METRIC.refreshTokenReuse.name)).toEqual([]);

    // Act
    clock.advance(30);
    const replay = await refresh(signedUp.body.refresh_token);

    // Assess
    expect(replay.body.error).toBe('invalid_grant');
    expect(of(METRIC.refreshTokenReuse.name)).toEqual([{}]);
  });

  it('counts SMS codes sent and refused, and SMS sign-ins and sign-ups', async () => {
    // Prepare
    const phone = freshPhone();

    // Act
    await api.call('POST', '/v1/auth/sms/send', { json: { phone } });
    await api.call('POST', '/v1/auth/sms/send', { json: { phone } }); // inside the resend gate
    await api.call('POST', '/v1/auth/sms/send', { json: { phone: '+44 7911 123456' } }); // not allowed
    await api.call('POST', '/v1/auth/sms/verify', {
      json: { phone, code: '000000' === latestCode(phone) ? '000001' : '000000' },
    });
    await api.call('POST', '/v1/auth/sms/verify', { json: { phone, code: latestCode(phone) } });

    // Assess
    expect(of(METRIC.smsCode.name)).toEqual([
      { Outcome: 'sent' },
      { Outcome: 'SMS_RATE_LIMITED' },
      { Outcome: 'COUNTRY_NOT_ALLOWED' },
    ]);
    expect(of(METRIC.signIn.name)).toEqual([
      { Method: 'sms', Outcome: 'INVALID_CODE' },
      { Method: 'sms', Outcome: 'succeeded' },
    ]);
    expect(of(METRIC.signUp.name)).toEqual([{ Method: 'sms' }]);
  });

  it("counts the worker's checks by outcome, the status found, and the alerts sent", async () => {
    // Prepare
    const user = await phoneUser(api, latestCode);
    const linked = await linkBank(api, user.token);
    const itemId = linked.body.itemId as string;
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    const { handler } = await import('../../functions/handlers/poller-worker');
    const batch = (...ids: string[]) =>
      ({
        Records: ids.map((id, n) => ({ messageId: `m${n}`, body: JSON.stringify({ itemId: id }) })),
      }) as unknown as SQSEvent;
    lines = [];

    // Act
    const first = await handler(batch(itemId, 'item_that_does_not_exist'));
    clock.advance(7200);
    await handler(batch(itemId));

    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(of(METRIC.itemCheck.name)).toEqual([
      { Outcome: 'changed' },
      { Outcome: 'skipped' },
      { Outcome: 'unchanged' },
    ]);
    expect(of(METRIC.checkedItemStatus.name)).toEqual([
      { Status: 'login_required' },
      { Status: 'login_required' },
    ]);
    expect(of(METRIC.alertSent.name)).toEqual(
      expect.arrayContaining([{ Channel: 'sms' }, { Channel: 'topic' }]),
    );
  });
});
