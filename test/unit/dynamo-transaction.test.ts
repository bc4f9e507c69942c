import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { conditions } from '../../functions/adapters/dynamo/expression';
import { Table } from '../../functions/adapters/dynamo/table';
import { ConflictError, ServiceUnavailableError } from '../../functions/domain/errors';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dynamo = mockClient(client);
const table = new Table(client, 'linkguard');
const meta = { $metadata: {} };

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    ...meta,
    message: 'Transaction cancelled',
    CancellationReasons: codes.map((Code) =>
      Code === 'ConditionalCheckFailed'
        ? { Code, Item: { pk: { S: 'USER#u' }, sk: { S: 'PROFILE' } } }
        : { Code },
    ),
  });

const write = () =>
  table
    .transaction()
    .put({ pk: 'IDENTITY#password#alice', sk: 'IDENTITY' }, { if: conditions.absent, name: 'username' })
    .put({ pk: 'USER#u', sk: 'PROFILE' }, { if: conditions.absent })
    .update(
      { pk: 'USER#u', sk: 'PROFILE' },
      { expression: 'SET a = :a', values: { ':a': 1 } },
      {
        if: conditions.present,
        name: 'user',
      },
    );

describe('Class: Transaction', () => {
  beforeEach(() => dynamo.reset());

  describe('Method: run', () => {
    it('sends every step with the table name, merged placeholders, and old values for named updates', async () => {
      // Prepare
      dynamo.on(TransactWriteCommand).resolves({});

      // Act
      const outcome = await write().run();

      // Assess
      expect(outcome).toEqual({ ok: true });
      const items = dynamo.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
      expect(items.map((i) => Object.values(i)[0]?.TableName)).toEqual([
        'linkguard',
        'linkguard',
        'linkguard',
      ]);
      expect(items[2]?.Update).toMatchObject({
        UpdateExpression: 'SET a = :a',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':a': 1 },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    });

    it('names the first failed step instead of its position, with its old item unmarshalled', async () => {
      // Prepare
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'None', 'ConditionalCheckFailed'));

      // Act
      const outcome = await write().run();

      // Assess
      expect(outcome).toEqual({ ok: false, failed: 'user', old: { pk: 'USER#u', sk: 'PROFILE' } });
    });

    it('answers a failed condition nobody named as CONFLICT', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
      await expect(write().run()).rejects.toMatchObject({ code: ConflictError.code });
    });

    it('retries a transaction that lost a race, and succeeds when the race is over', async () => {
      // Prepare
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('TransactionConflict', 'None', 'None'))
        .rejectsOnce(cancelled('None', 'TransactionConflict', 'None'))
        .resolves({});

      // Act
      const outcome = await write().run();

      // Assess
      expect(outcome).toEqual({ ok: true });
      expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(3);
    });

    it('gives up after four tries: a lasting race is CONFLICT (409), lasting throttling SERVICE_UNAVAILABLE (503)', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None'));
      await expect(write().run()).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(dynamo.commandCalls(TransactWriteCommand)).toHaveLength(4);

      dynamo.reset();
      dynamo.on(TransactWriteCommand).rejects(cancelled('ThrottlingError', 'None', 'None'));
      await expect(write().run()).rejects.toMatchObject({ code: ServiceUnavailableError.code });
    });

    it('turns throttling that outlasted the SDK retries into SERVICE_UNAVAILABLE', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejects(new ProvisionedThroughputExceededException({ ...meta, message: 'slow down' }));
      await expect(write().run()).rejects.toBeInstanceOf(ServiceUnavailableError);
    });
  });
});

describe('Class: Table', () => {
  beforeEach(() => dynamo.reset());

  describe('Method: put', () => {
    it('answers a refused condition with false, not an exception', async () => {
      dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ ...meta, message: 'no' }));
      await expect(table.put({ pk: 'a', sk: 'b' }, conditions.absent)).resolves.toBe(false);
    });

    it('retries a write racing a transaction, then answers CONFLICT', async () => {
      // Prepare
      dynamo
        .on(PutCommand)
        .rejectsOnce(new TransactionConflictException({ ...meta, message: 'busy' }))
        .resolves({});

      // Act + Assess
      await expect(table.put({ pk: 'a', sk: 'b' })).resolves.toBe(true);
      dynamo.reset();
      dynamo.on(PutCommand).rejects(new TransactionConflictException({ ...meta, message: 'busy' }));
      await expect(table.put({ pk: 'a', sk: 'b' })).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });
});
