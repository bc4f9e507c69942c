import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFunction } from '../../local/function-scope';
import { mockAwsClient } from '../support/aws-calls';
import { linkBank, phoneUser } from '../support/bank';
import { latestCode } from '../support/outbox';
import { startTestApi } from '../support/test-runtime';

/**
 * Account deletion as AWS runs it: `DELETE /v1/me` sends the work to SQS (mocked), and the
 * deletion worker takes SQS records, against DynamoDB Local and the emulators.
 */
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/111122223333/linkguard-deletions';
const sqs = mockAwsClient(SQSClient);
let api: Awaited<ReturnType<typeof startTestApi>>;

beforeAll(async () => {
  sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
  api = await startTestApi({ providers: true, plaid: {}, env: { DELETION_QUEUE_URL: QUEUE_URL } });
});
afterAll(async () => {
  sqs.restore();
  await api.close();
});

const record = (messageId: string, body: string): SQSRecord =>
  ({ messageId, body, receiptHandle: `rh-${messageId}`, attributes: {}, messageAttributes: {} }) as SQSRecord;
const worker = async (event: SQSEvent) => {
  const { handler } = await import('../../functions/handlers/account-deletion-worker');
  return asFunction('account-deletion-worker', () => handler(event));
};

describe('Handler: me-delete and account-deletion-worker', () => {
  it('queues the work on SQS with a delivery delay, and the worker removes the Items at Plaid', async () => {
    // Prepare
    const user = await phoneUser(api, latestCode);
    const items = [
      (await linkBank(api, user.token, 'ins_109508')).body.itemId as string,
      (await linkBank(api, user.token, 'ins_109509')).body.itemId as string,
    ];

    // Act
    const deleted = await api.call('DELETE', '/v1/me', { token: user.token });
    const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    const result = await worker({
      Records: [...entries.map((e, n) => record(`m${n}`, e.MessageBody ?? '')), record('bad', 'not json')],
    });

    // Assess
    expect(deleted.status).toBe(202);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(QUEUE_URL);
    expect(entries.map((e) => e.DelaySeconds)).toEqual([2, 2, 2]);
    const bodies = entries.map((e) => JSON.parse(e.MessageBody ?? '{}') as { kind: string; itemId?: string });
    expect(bodies.map((b) => b.kind).sort()).toEqual(['audit-events', 'plaid-item', 'plaid-item']);
    expect(bodies.flatMap((b) => (b.itemId === undefined ? [] : [b.itemId])).sort()).toEqual(
      [...items].sort(),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect((api.plaid?.items() ?? []).filter((i) => items.includes(i.itemId)).map((i) => i.removed)).toEqual([
      true,
      true,
    ]);
  });

  it('reports a failure for SQS to retry while Plaid is down, and succeeds on the retry', async () => {
    // Prepare
    const user = await phoneUser(api, latestCode);
    await linkBank(api, user.token, 'ins_109510');
    sqs.resetHistory();
    await api.call('DELETE', '/v1/me', { token: user.token });
    const [entry] = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    await fetch(`${api.plaid?.url}/emulator/outage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/item/remove', times: 1 }),
    });

    // Act
    const first = await worker({ Records: [record('m1', entry?.MessageBody ?? '')] });
    const retry = await worker({ Records: [record('m1', entry?.MessageBody ?? '')] });

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(retry.batchItemFailures).toEqual([]);
  });
});
