import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AlertStep } from '../../domain/alert-policy';
import { shardOf } from '../../domain/check-schedule';
import { epochSeconds } from '../../domain/clock';
import type { ItemEvent, PlaidItemRecord } from '../../domain/item-state-machine';
import type { AlertChannel, AlertKey, AlertLedger } from '../../domain/ports/alert-ledger';
import type { ItemEventPage, PlaidItemStore } from '../../domain/ports/plaid-item-store';
import { decodeCursor, encodeCursor } from './cursor';
import { keys, ranges } from './keys';
import { cancellationReasons, failedConditionAt, isConditionFailure, stripKeys, type Table } from './table';

/** History of an Item is kept this long (and this long after the Item is removed). */
const HISTORY_SECONDS = 400 * 86400;

/** Plaid Items, their institution guards and history, and their alert ledger, in the one table. */
export class DynamoPlaidItemStore implements PlaidItemStore, AlertLedger {
  constructor(
    private readonly table: Table,
    private readonly shards: number,
  ) {}

  private itemItem(item: PlaidItemRecord) {
    return {
      ...keys.plaidItem(item.itemId),
      ...keys.plaidItemByOwner(item.userId, item.createdAt, item.itemId),
      ...keys.plaidItemDue(shardOf(item.itemId, this.shards), item.nextCheckAt, item.itemId),
      entity: 'plaidItem',
      ...item,
    };
  }

  private eventItem(itemId: string, event: ItemEvent) {
    return {
      ...keys.plaidItemEvent(itemId, event.at, randomUUID()),
      entity: 'plaidItemEvent',
      ...event,
      expiresAt: epochSeconds(new Date(event.at)) + HISTORY_SECONDS,
    };
  }

  /** Pattern: link an Item (TransactWriteItems: guard `attribute_not_exists`, item, event). */
  async create(input: { item: PlaidItemRecord; event: ItemEvent }): Promise<'created' | 'institution_taken'> {
    const { item } = input;
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.name,
                Item: {
                  ...keys.institutionGuard(item.userId, item.institutionId),
                  entity: 'institutionGuard',
                  itemId: item.itemId,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: this.itemItem(item),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.table.name, Item: this.eventItem(item.itemId, input.event) } },
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (failedConditionAt(error) === 0) return 'institution_taken';
      throw error;
    }
  }

  /** Pattern: a user's Item for an institution (GetItem on the guard, consistent). */
  async findByInstitution(userId: string, institutionId: string): Promise<string | undefined> {
    const result = await this.table.client.send(
      new GetCommand({
        TableName: this.table.name,
        Key: keys.institutionGuard(userId, institutionId),
        ConsistentRead: true,
      }),
    );
    return result.Item?.itemId as string | undefined;
  }

  /** Pattern: an Item by id (GetItem, consistent). */
  async get(itemId: string): Promise<PlaidItemRecord | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.plaidItem(itemId), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : stripKeys<PlaidItemRecord>(result.Item);
  }

  /** Pattern: a user's Items (Query gsi1, `USER#<id>`, sk begins_with `ITEM#`). */
  async listForUser(userId: string): Promise<PlaidItemRecord[]> {
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.userByOwner(userId).gsi1pk, ':prefix': ranges.itemPrefix },
      }),
    );
    return (result.Items ?? []).map((i) => stripKeys<PlaidItemRecord>(i));
  }

  /**
   * Pattern: write an Item if unchanged since read (PutItem with `version = :read`), or with its
   * history (TransactWriteItems). A healthy Item checked again is one write.
   */
  async save(item: PlaidItemRecord, events: ItemEvent[]): Promise<'saved' | 'stale'> {
    const put = {
      TableName: this.table.name,
      Item: this.itemItem(item),
      ConditionExpression: 'version = :read',
      ExpressionAttributeValues: { ':read': item.version - 1 },
    };
    try {
      if (events.length === 0) {
        await this.table.client.send(new PutCommand(put));
      } else {
        await this.table.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: put },
              ...events
                .slice(0, 20)
                .map((e) => ({ Put: { TableName: this.table.name, Item: this.eventItem(item.itemId, e) } })),
            ],
          }),
        );
      }
      return 'saved';
    } catch (error) {
      if (isConditionFailure(error) || cancellationReasons(error) !== undefined) return 'stale';
      throw error;
    }
  }

  /** Pattern: remove an Item (TransactWriteItems: delete item and guard, put event). */
  async remove(item: PlaidItemRecord, event: ItemEvent): Promise<void> {
    await this.table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table.name, Key: keys.plaidItem(item.itemId) } },
          {
            Delete: {
              TableName: this.table.name,
              Key: keys.institutionGuard(item.userId, item.institutionId),
            },
          },
          { Put: { TableName: this.table.name, Item: this.eventItem(item.itemId, event) } },
        ],
      }),
    );
  }

  /** Pattern: an Item's history, newest first (Query, `ITEM#<id>`, sk begins_with `EVENT#`). */
  async listEvents(itemId: string, input: { limit: number; cursor?: string }): Promise<ItemEventPage> {
    const pk = keys.plaidItem(itemId).pk;
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': ranges.eventPrefix },
        ScanIndexForward: false,
        Limit: input.limit,
        ...(input.cursor === undefined
          ? {}
          : { ExclusiveStartKey: { pk, sk: decodeCursor(input.cursor, ranges.eventPrefix) } }),
      }),
    );
    const last = result.LastEvaluatedKey?.sk;
    return {
      events: (result.Items ?? []).map((i) => stripKeys<ItemEvent>(i)),
      ...(typeof last === 'string' ? { nextCursor: encodeCursor(last) } : {}),
    };
  }

  /** Pattern: due Items of a shard (Query gsi2, `DUE#<shard>`, sk < `<dueBy>#~`), 500 a page. */
  async dueItems(input: { shard: number; dueBy: Date | undefined; startKey?: string }) {
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        IndexName: 'gsi2',
        KeyConditionExpression:
          input.dueBy === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND gsi2sk < :bound',
        ExpressionAttributeValues: {
          ':pk': keys.dueShard(input.shard).gsi2pk,
          ...(input.dueBy === undefined ? {} : { ':bound': `${input.dueBy.toISOString()}#~` }),
        },
        Limit: 500,
        ...(input.startKey === undefined
          ? {}
          : { ExclusiveStartKey: JSON.parse(Buffer.from(input.startKey, 'base64url').toString()) }),
      }),
    );
    const itemIds = (result.Items ?? []).map((i) => keys.itemIdOf(String(i.pk)));
    const next =
      result.LastEvaluatedKey === undefined
        ? undefined
        : Buffer.from(JSON.stringify(result.LastEvaluatedKey)).toString('base64url');
    return { itemIds, ...(next === undefined ? {} : { nextKey: next }) };
  }

  /** Pattern: an episode's claimed and sent alerts (Query, `ITEM#<id>`, sk begins_with `ALERT#<episode>#`). */
  async stepsOf(input: {
    itemId: string;
    episodeId: string;
    channel: AlertChannel;
    staleBefore: Date;
  }): Promise<AlertStep[]> {
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.plaidItem(input.itemId).pk,
          ':prefix': ranges.alertPrefix(input.episodeId),
        },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? [])
      .filter(
        (i) =>
          i.channel === input.channel &&
          (i.state === 'sent' || String(i.claimedAt) > input.staleBefore.toISOString()),
      )
      .map((i) => i.step as AlertStep);
  }

  /** Pattern: claim an alert (PutItem, `attribute_not_exists` or a stale claim). */
  async claim(key: AlertKey, input: { claimId: string; now: Date; staleBefore: Date }): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...keys.alertClaim(key.itemId, key.episodeId, key.step, key.channel),
            entity: 'alertClaim',
            step: key.step,
            channel: key.channel,
            state: 'claimed',
            claimId: input.claimId,
            claimedAt: input.now.toISOString(),
            expiresAt: epochSeconds(input.now) + HISTORY_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND claimedAt < :stale)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':stale': input.staleBefore.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Pattern: complete an alert (TransactWriteItems: claim sent, event, and for `restored` clear the marker). */
  async complete(key: AlertKey, input: { claimId: string; event: ItemEvent }): Promise<'completed' | 'lost'> {
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.name,
                Key: keys.alertClaim(key.itemId, key.episodeId, key.step, key.channel),
                UpdateExpression: 'SET #state = :sent, sentAt = :at',
                ConditionExpression: 'claimId = :claim',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: {
                  ':sent': 'sent',
                  ':at': input.event.at,
                  ':claim': input.claimId,
                },
              },
            },
            { Put: { TableName: this.table.name, Item: this.eventItem(key.itemId, input.event) } },
            ...(key.step === 'restored'
              ? [
                  {
                    Update: {
                      TableName: this.table.name,
                      Key: keys.plaidItem(key.itemId),
                      UpdateExpression: 'REMOVE restoredEpisodeId',
                      ConditionExpression: 'attribute_exists(pk)',
                    },
                  },
                ]
              : []),
          ],
        }),
      );
      return 'completed';
    } catch (error) {
      if (failedConditionAt(error) === 0) return 'lost';
      throw error;
    }
  }

  /** Pattern: release a claim after a failed send (DeleteItem if `claimId = :ours`). */
  async release(key: AlertKey, input: { claimId: string }): Promise<void> {
    try {
      await this.table.client.send(
        new DeleteCommand({
          TableName: this.table.name,
          Key: keys.alertClaim(key.itemId, key.episodeId, key.step, key.channel),
          ConditionExpression: 'claimId = :claim',
          ExpressionAttributeValues: { ':claim': input.claimId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
