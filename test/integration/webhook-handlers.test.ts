import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { localOutbox } from '../../functions/adapters/outbox';
import { asFunction } from '../../local/function-scope';
import { mockAwsClient } from '../support/aws-calls';
import { linkBank, phoneUser, plaidControl } from '../support/bank';
import { ManualClock } from '../support/manual-clock';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * The webhook pipeline's two Lambda handlers as AWS runs them: the receiver answering Plaid and
 * sending to the SQS FIFO queue (mocked), and the worker taking an SQS batch, against DynamoDB
 * Local and the Plaid emulator.
 */
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/linkguard-webhooks.fifo';
const sqs = mockAwsClient(SQSClient);
let api: Awaited<ReturnType<typeof startTestApi>>;
const clock = new ManualClock(new Date());

beforeAll(async () => {
  api = await startTestApi({
    clock,
    plaid: { now: () => clock.now() },
    env: { WEBHOOK_QUEUE_URL: QUEUE_URL, SMS_PER_IP_HOURLY: '1000' },
  });
});
beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});
afterAll(async () => {
  sqs.restore();
  await api.close();
});

const worker = async (event: SQSEvent) => {
  const { handler } = await import('../../functions/handlers/plaid-webhook-worker');
  return asFunction('plaid-webhook-worker', () => handler(event));
};
const sqsRecord = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: `rh-${messageId}`, attributes: {}, messageAttributes: {} }) as SQSRecord;
const item = async (token: string, itemId: string) =>
  (await api.call('GET', `/v1/plaid/items/${itemId}`, { token })).body;

describe('Handlers: plaid-webhook and plaid-webhook-worker', () => {
  it('answers Plaid 200 before anything is processed, queues by Item, and the worker applies it', async () => {
    // Prepare: an Item breaks at Plaid, which sends its signed ERROR webhook to the API.
    const user = await phoneUser(api, latestCode);
    const { body: linked } = await linkBank(api, user.token);
    await plaidControl(api, `/emulator/items/${linked.itemId}/error`, { errorCode: 'ITEM_LOGIN_REQUIRED' });
    await api.plaid?.webhooksSettled();
    const delivered = [...(api.plaid?.webhooks() ?? [])].find(
      (w) => w.itemId === linked.itemId && w.webhookCode === 'ERROR',
    );

    // Assess: Plaid got 200, the webhook is on the FIFO queue (group = Item), nothing applied yet.
    expect(delivered).toMatchObject({ outcome: 'delivered', status: 200 });
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ QueueUrl: QUEUE_URL, MessageGroupId: linked.itemId });
    expect(sent[0]?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    const message = JSON.parse(sent[0]?.MessageBody ?? '{}');
    expect(message).toMatchObject({ itemId: linked.itemId, body: delivered?.body });
    expect(await item(user.token, linked.itemId)).toMatchObject({ status: 'healthy' });

    // Act: the worker takes the batch (the same message twice: SQS delivers at least once).
    const result = await worker({
      Records: [sqsRecord('a', sent[0]?.MessageBody ?? ''), sqsRecord('b', sent[0]?.MessageBody ?? '')],
    });

    // Assess: confirmed with Plaid, applied once, one alert.
    expect(result.batchItemFailures).toEqual([]);
    expect(await item(user.token, linked.itemId)).toMatchObject({
      status: 'login_required',
      needsAction: true,
    });
    const texts = localOutbox.messages.filter(
      (m) => m.channel === 'sms' && m.to === user.phone && m.message.startsWith('LinkGuard:'),
    );
    expect(texts).toHaveLength(1);
  });

  it('drops a malformed message and answers a webhook of an unknown Item, failing nothing', async () => {
    // Act
    const result = await worker({
      Records: [
        sqsRecord('bad', '{"not":"a webhook"}'),
        sqsRecord(
          'ok',
          JSON.stringify({ itemId: 'item_x', body: '{}', issuedAt: clock.now().toISOString() }),
        ),
      ],
    });
    // Assess
    expect(result.batchItemFailures).toEqual([]);
  });
});
