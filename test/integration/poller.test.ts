import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Configuration, PlaidApi } from 'plaid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockAwsClient } from '../support/aws-calls';
import { linkBank, plaidControl, pollAll } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { startTestApi } from '../support/test-runtime';

const sns = mockAwsClient(SNSClient);
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:linkguard-alerts';

beforeAll(async () => {
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  api = await startTestApi({
    clock,
    plaid: { itemGetLimitPerMinute: 100_000 },
    env: { SMS_TRANSPORT: 'sns', ALERT_TOPIC_ARN: TOPIC, POLLER_CONCURRENCY: '16' },
  });
  await plaidControl(api, '/emulator/webhooks', { enabled: false });
});
afterAll(async () => {
  sns.restore();
  await api.close();
});

const topicPublishes = (itemId: string) =>
  sns
    .commandCalls(PublishCommand)
    .filter(
      (c) =>
        c.args[0].input.TopicArn === TOPIC &&
        c.args[0].input.MessageAttributes?.itemId?.StringValue === itemId,
    );

let n = 0;
async function passwordUserWithBank(institutionId: string) {
  n++;
  const reg = await api.call('POST', '/v1/auth/register', {
    json: { username: `poll${n}`, password: 'purple-otter-bakes-42' },
  });
  const linked = await linkBank(api, reg.body.access_token, institutionId);
  return { token: reg.body.access_token as string, itemId: linked.body.itemId as string };
}

describe('Alerts when SNS fails', () => {
  it('marks nothing sent, and the next pass sends exactly one', async () => {
    const { itemId, token } = await passwordUserWithBank('ins_109508');
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    sns
      .on(PublishCommand, { TopicArn: TOPIC })
      .rejects(Object.assign(new Error('down'), { name: 'InternalErrorException' }));
    await pollAll(api);
    expect(topicPublishes(itemId)).toHaveLength(1); // tried, failed
    const events = (await api.call('GET', `/v1/plaid/items/${itemId}/events`, { token })).body.events as {
      type: string;
    }[];
    expect(events.filter((e) => e.type === 'alert_sent')).toHaveLength(0);

    sns.on(PublishCommand, { TopicArn: TOPIC }).resolves({ MessageId: 'ok' });
    await pollAll(api);
    await pollAll(api);
    expect(topicPublishes(itemId)).toHaveLength(2); // the failed try, then exactly one success
    const after = (await api.call('GET', `/v1/plaid/items/${itemId}/events`, { token })).body.events as {
      type: string;
    }[];
    expect(after.filter((e) => e.type === 'alert_sent')).toHaveLength(1);
    expect(topicPublishes(itemId)[1]?.args[0].input.MessageAttributes).toMatchObject({
      eventType: { DataType: 'String', StringValue: 'item.needs_action' },
      userId: { DataType: 'String' },
    });
  });
});

describe('Racing checks', () => {
  it('two checks of one broken Item at once send one alert', async () => {
    const { itemId } = await passwordUserWithBank('ins_109509');
    await plaidControl(api, `/emulator/items/${itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    const { checkItemUseCase } = await import('../../functions/composition/bank-links');
    const check = checkItemUseCase();
    const outcomes = await Promise.all([check({ itemId }), check({ itemId }), check({ itemId })]);
    expect(outcomes.every((o) => o.checked)).toBe(true);
    expect(outcomes.filter((o) => o.notified)).toHaveLength(1);
    expect(topicPublishes(itemId)).toHaveLength(1);
  });
});

describe('A pass over 2,000 Items', () => {
  it('checks every Item once, none twice', async () => {
    const plaid = new PlaidApi(
      new Configuration({
        basePath: api.env.PLAID_BASE_URL,
        baseOptions: {
          headers: { 'PLAID-CLIENT-ID': api.env.PLAID_CLIENT_ID, 'PLAID-SECRET': api.env.PLAID_SECRET },
        },
      }),
    );
    const { plaidItems } = await import('../../functions/composition/bank-links');
    const { EnvelopeTokenCipher, LocalKeyWrapper } = await import('../../functions/adapters/token-cipher');
    const { FileSecretSource } = await import('../../functions/adapters/secret-sources');
    const cipher = new EnvelopeTokenCipher(
      new LocalKeyWrapper(new FileSecretSource(api.env.TOKEN_KEY_FILE as string)),
    );
    const store = plaidItems();
    const now = clock.now().toISOString();
    const seeded: string[] = [];
    const seedOne = async (i: number) => {
      const { data: pub } = await plaid.sandboxPublicTokenCreate({
        institution_id: 'ins_109510',
        initial_products: ['transactions' as never],
      });
      const { data: ex } = await plaid.itemPublicTokenExchange({ public_token: pub.public_token });
      await store.create({
        item: {
          itemId: ex.item_id,
          userId: `usr_bulk${i}`,
          institutionId: 'ins_109510',
          institutionName: 'Tattersall Federal Credit Union',
          status: 'healthy',
          accessTokenCiphertext: await cipher.encrypt(ex.access_token, ex.item_id),
          createdAt: now,
          nextCheckAt: now,
          transientFailures: 0,
          version: 1,
        },
        event: { type: 'linked', at: now, source: 'link' },
      });
      seeded.push(ex.item_id);
    };
    for (let i = 0; i < 2000; i += 50)
      await Promise.all(Array.from({ length: 50 }, (_, k) => seedOne(i + k)));

    const before = new Map(api.plaid?.items().map((i) => [i.itemId, i.getCount]));
    const result = await pollAll(api);
    const after = new Map(api.plaid?.items().map((i) => [i.itemId, i.getCount]));
    const deltas = seeded.map((id) => (after.get(id) ?? 0) - (before.get(id) ?? 0));
    expect(deltas.filter((d) => d !== 1)).toEqual([]);
    expect(result.checked).toBeGreaterThanOrEqual(2000);
  }, 120_000);
});
