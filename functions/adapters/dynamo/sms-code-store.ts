import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../../domain/clock';
import type { IdentityRecord } from '../../domain/model';
import type { SendReservation, SmsCodeStore } from '../../domain/ports/sms-code-store';
import { type PhoneSendHistory, type SmsCodeRecord, windowEnds } from '../../domain/sms-code-policy';
import { keys } from './keys';
import { failedConditionAt, isConditionFailure, stripKeys, type Table } from './table';

/** SMS codes and their send limits in DynamoDB. Every limit is a condition, never a read-then-write. */
export class DynamoSmsCodeStore implements SmsCodeStore {
  constructor(private readonly table: Table) {}

  /** Pattern: a phone's recent sends (GetItem, consistent). */
  async loadSendHistory(phone: string): Promise<PhoneSendHistory | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.phoneSends(phone), ConsistentRead: true }),
    );
    if (result.Item === undefined) return undefined;
    return {
      sends: (result.Item.sends as string[] | undefined) ?? [],
      version: Number(result.Item.version ?? 0),
    };
  }

  /**
   * Pattern: reserve an SMS send (TransactWriteItems: phone history with a version check,
   * IP-hour and global-day counters with limit conditions, the code).
   */
  async reserveSend(input: Parameters<SmsCodeStore['reserveSend']>[0]): Promise<SendReservation> {
    const hourEnd = windowEnds.hour(input.now);
    const dayEnd = windowEnds.day(input.now);
    const hourStart = new Date(hourEnd.getTime() - 3600_000).toISOString();
    const day = new Date(dayEnd.getTime() - 86400_000).toISOString().slice(0, 10);
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: this.historyPut(input.phone, input.sends, input.history, input.now) },
            {
              Update: this.counter(keys.ipSends(input.ip, hourStart), input.perIpPerHour, hourEnd, 1),
            },
            { Update: this.counter(keys.dailySends(day), input.dailyCap, dayEnd, 1) },
            {
              Put: {
                TableName: this.table.name,
                Item: {
                  ...keys.smsCode(input.phone),
                  entity: 'smsCode',
                  ...input.code,
                  expiresAt: epochSeconds(new Date(input.code.expiresAt)),
                },
              },
            },
          ],
        }),
      );
      return { outcome: 'reserved' };
    } catch (error) {
      const failed = failedConditionAt(error);
      if (failed === undefined) throw error;
      const seconds = (end: Date) => Math.max(1, Math.ceil((end.getTime() - input.now.getTime()) / 1000));
      if (failed === 1) return { outcome: 'limited', retryAfterSeconds: seconds(hourEnd) };
      if (failed === 2) return { outcome: 'limited', retryAfterSeconds: seconds(dayEnd) };
      // The history changed since it was read (a parallel send won), or a transaction conflict.
      return { outcome: 'limited', retryAfterSeconds: 60 };
    }
  }

  /** Pattern: undo a reservation (TransactWriteItems: restore history, decrement counters, delete code). */
  async releaseSend(input: Parameters<SmsCodeStore['releaseSend']>[0]): Promise<void> {
    const hourEnd = windowEnds.hour(input.now);
    const dayEnd = windowEnds.day(input.now);
    const hourStart = new Date(hourEnd.getTime() - 3600_000).toISOString();
    const day = new Date(dayEnd.getTime() - 86400_000).toISOString().slice(0, 10);
    const restored = input.history?.sends ?? [];
    await this.table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table.name,
              Item: {
                ...keys.phoneSends(input.phone),
                entity: 'phoneSends',
                sends: restored,
                version: (input.history?.version ?? 0) + 2,
                expiresAt: epochSeconds(input.now) + 3600,
              },
            },
          },
          { Update: this.counter(keys.ipSends(input.ip, hourStart), undefined, hourEnd, -1) },
          { Update: this.counter(keys.dailySends(day), undefined, dayEnd, -1) },
          {
            Delete: {
              TableName: this.table.name,
              Key: keys.smsCode(input.phone),
              ConditionExpression: 'codeId = :id',
              ExpressionAttributeValues: { ':id': input.codeId },
            },
          },
        ],
      }),
    );
  }

  /** Pattern: a phone's live code and its identity (BatchGetItem, consistent). */
  async loadCodeAndIdentity(phone: string) {
    const codeKey = keys.smsCode(phone);
    const identityKey = keys.identity('phone', phone);
    const result = await this.table.client.send(
      new BatchGetCommand({
        RequestItems: { [this.table.name]: { Keys: [codeKey, identityKey], ConsistentRead: true } },
      }),
    );
    const items = result.Responses?.[this.table.name] ?? [];
    const code = items.find((i) => i.pk === codeKey.pk);
    const identity = items.find((i) => i.pk === identityKey.pk);
    return {
      code:
        code === undefined
          ? undefined
          : ({
              ...stripKeys<SmsCodeRecord>(code),
              expiresAt: new Date(Number(code.expiresAt) * 1000).toISOString(),
            } as SmsCodeRecord),
      identity: identity === undefined ? undefined : stripKeys<IdentityRecord>(identity),
    };
  }

  /** Pattern: count a wrong code (UpdateItem ADD, only on this code and under the limit). */
  async countWrongAttempt(phone: string, codeId: string, maxAttempts: number): Promise<number> {
    try {
      const result = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.smsCode(phone),
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: 'codeId = :id AND attempts < :max',
          ExpressionAttributeValues: { ':one': 1, ':id': codeId, ':max': maxAttempts },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(result.Attributes?.attempts ?? 0);
    } catch (error) {
      if (isConditionFailure(error)) return maxAttempts;
      throw error;
    }
  }

  private historyPut(phone: string, sends: string[], history: PhoneSendHistory | undefined, now: Date) {
    return {
      TableName: this.table.name,
      Item: {
        ...keys.phoneSends(phone),
        entity: 'phoneSends',
        sends,
        version: (history?.version ?? 0) + 1,
        expiresAt: epochSeconds(now) + 3600,
      },
      ...(history === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': history.version } }),
    };
  }

  private counter(
    key: { pk: string; sk: string },
    limit: number | undefined,
    windowEnd: Date,
    delta: 1 | -1,
  ) {
    return {
      TableName: this.table.name,
      Key: key,
      UpdateExpression: 'ADD sends :delta SET expiresAt = :ttl, entity = :entity',
      ...(limit === undefined
        ? {}
        : { ConditionExpression: 'attribute_not_exists(sends) OR sends < :limit' }),
      ExpressionAttributeValues: {
        ':delta': delta,
        ':ttl': epochSeconds(windowEnd),
        ':entity': 'smsCounter',
        ...(limit === undefined ? {} : { ':limit': limit }),
      },
    };
  }
}
