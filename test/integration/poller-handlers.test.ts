import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asFunction } from '../../local/function-scope';
import { mockAwsClient } from '../support/aws-calls';
import { linkBank, phoneUser, plaidControl } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * The poller's two Lambda handlers as AWS runs them: the dispatcher sending to SQS (mocked) and
 * the worker taking an SQS batch, against DynamoDB Local and the Plaid emulator.
 */
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/linkguard-checks';
const sqs = mockAwsClient(SQSClient);
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());
const itemIds: string[] = [];

beforeAll(async () => {
  api = await startTestApi({
    clock,
    plaid: { now: () => clock.now(), itemGetLimitPerMinute: 100_000 },
    env: { CHECK_QUEUE_URL: QUEUE_URL, POLLER_SHARDS: '2', SMS_PER_IP_HOURLY: '1000' },
  });
  await plaidControl(api, '/emulator/webhooks', { enabled: false });
  // One Item per user and bank: 3 users × 4 banks.
  for (let u = 0; u < 3; u++) {
    const user = await phoneUser(api, latestCode);
    for (const bank of ['ins_109508', 'ins_109509', 'ins_109510', 'ins_109511']) {
      const linked = await linkBank(api, user.token, bank);
      expect(linked.status).toBe(201);
      itemIds.push(linked.body.itemId as string);
    }
  }
  // Every Item is due for its next check three days later.
  clock.advance(3 * 24 * 3600);
});
beforeEach(() => {
  sqs.reset();
});
afterAll(async () => {
  sqs.restore();
  await api.close();
});

const dispatcher = async () => {
  const { handler } = await import('../../functions/handlers/poller-dispatch');
  return asFunction('poller-dispatch', () => handler());
};
const worker = async (event: SQSEvent) => {
  const { handler } = await import('../../functions/handlers/poller-worker');
  return asFunction('poller-worker', () => handler(event));
};
const sqsRecord = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: `rh-${messageId}`, attributes: {}, messageAttributes: {} }) as SQSRecord;
const sentBodies = () =>
  sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .map((entry) => JSON.parse(entry.MessageBody ?? '{}') as { itemId: string; dispatchedAt: string });

describe('Handler: poller-dispatch', () => {
  it('sends every due Item to the queue in batches of ten, resending only the entries SQS refused', async () => {
    // Prepare: SQS refuses one entry of the first batch, then takes everything.
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({ Failed: [] });

    // Act
    const result = await dispatcher();

    // Assess
    expect(result.dispatched).toBeGreaterThanOrEqual(itemIds.length);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    for (const call of calls) {
      expect(call.args[0].input.QueueUrl).toBe(QUEUE_URL);
      expect(call.args[0].input.Entries?.length).toBeLessThanOrEqual(10);
    }
    const first = calls[0]?.args[0].input.Entries ?? [];
    const resent = calls[1]?.args[0].input.Entries ?? [];
    expect(resent.map((e) => e.MessageBody)).toEqual([first[1]?.MessageBody]);
    const sentIds = sentBodies().map((b) => b.itemId);
    for (const itemId of itemIds)
      expect(sentIds.filter((id) => id === itemId).length).toBeGreaterThanOrEqual(1);
    // Each Item is accepted exactly once: the one resent entry is the only repeat.
    expect(sentIds.length - new Set(sentIds).size).toBe(1);
  });

  it('fails the run when SQS keeps refusing an entry, after three tries', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }],
    });

    // Act
    const run = dispatcher();

    // Assess
    await expect(run).rejects.toThrow(/SQS refused 1 check messages/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });
});

describe('Handler: poller-worker', () => {
  it('checks the good messages of a mixed batch and reports only the failed ones for retry', async () => {
    // Prepare: one Item whose stored token no longer decrypts, one body that is not JSON, one
    // message with no item id (dropped: retrying cannot fix it), and two good messages.
    const [good1, good2, corrupted] = itemIds as [string, string, string];
    const { table } = await import('../../functions/composition/accounts');
    const t = table();
    await t.client.send(
      new UpdateCommand({
        TableName: t.name,
        Key: { pk: `ITEM#${corrupted}`, sk: 'ITEM' },
        UpdateExpression: 'SET accessTokenCiphertext = :bad',
        ExpressionAttributeValues: { ':bad': 'v1:not-a-wrapped-key:not.a.token' },
      }),
    );
    const getsBefore = (id: string) => api.plaid?.items().find((i) => i.itemId === id)?.getCount ?? 0;
    const before = { good1: getsBefore(good1), good2: getsBefore(good2) };
    const dispatchedAt = clock.now().toISOString();
    const event: SQSEvent = {
      Records: [
        sqsRecord('m-good-1', JSON.stringify({ itemId: good1, dispatchedAt })),
        sqsRecord('m-corrupted', JSON.stringify({ itemId: corrupted, dispatchedAt })),
        sqsRecord('m-not-json', '{"itemId": '),
        sqsRecord('m-no-item', JSON.stringify({ dispatchedAt })),
        sqsRecord('m-good-2', JSON.stringify({ itemId: good2, dispatchedAt })),
      ],
    };

    // Act
    const response = await worker(event);

    // Assess
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'm-corrupted' },
      { itemIdentifier: 'm-not-json' },
    ]);
    expect(getsBefore(good1)).toBe(before.good1 + 1);
    expect(getsBefore(good2)).toBe(before.good2 + 1);
    const { plaidItems } = await import('../../functions/composition/bank-links');
    expect(await plaidItems().get(good1)).toMatchObject({ status: 'healthy' });
  });

  it('answers an all-good batch with no failures', async () => {
    // Prepare
    const dispatchedAt = clock.now().toISOString();
    const event: SQSEvent = {
      Records: itemIds
        .slice(3, 6)
        .map((id, n) => sqsRecord(`m-${n}`, JSON.stringify({ itemId: id, dispatchedAt }))),
    };

    // Act
    const response = await worker(event);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
  });
});
