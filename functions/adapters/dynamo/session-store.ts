import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../../domain/clock';
import type { AuditEvent, SessionRecord, SessionRevokeReason } from '../../domain/model';
import type { RotationResult, SessionStore } from '../../domain/ports/session-store';
import { auditEventItem } from './items';
import { keys, ranges } from './keys';
import { cancellationReasons, failedConditionAt, stripKeys, type Table } from './table';

/** Sessions in DynamoDB. Rotation and revocation are single conditional writes. */
export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: rotate a refresh token (TransactWriteItems: conditional update of session, put event). */
  async rotate(input: {
    userId: string;
    sessionId: string;
    expectedHash: string;
    nextHash: string;
    now: Date;
    idleExpiresAt: Date;
    client: { ip?: string; userAgent?: string };
    event: AuditEvent;
  }): Promise<RotationResult> {
    const now = input.now.toISOString();
    const clientSets = [
      ...(input.client.ip === undefined ? [] : ['ip = :ip']),
      ...(input.client.userAgent === undefined ? [] : ['userAgent = :ua']),
    ];
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.name,
                Key: keys.session(input.sessionId),
                UpdateExpression: [
                  'SET refreshHash = :next, previousRefreshHash = :expected, rotatedAt = :now, lastUsedAt = :now',
                  'idleExpiresAt = :idle, expiresAt = :ttl',
                  ...clientSets,
                ].join(', '),
                ConditionExpression:
                  'userId = :uid AND refreshHash = :expected AND attribute_not_exists(revokedAt) AND idleExpiresAt > :now AND absoluteExpiresAt > :now',
                ExpressionAttributeValues: {
                  ':next': input.nextHash,
                  ':expected': input.expectedHash,
                  ':now': now,
                  ':idle': input.idleExpiresAt.toISOString(),
                  ':ttl': epochSeconds(input.idleExpiresAt),
                  ':uid': input.userId,
                  ...(input.client.ip === undefined ? {} : { ':ip': input.client.ip }),
                  ...(input.client.userAgent === undefined
                    ? {}
                    : { ':ua': input.client.userAgent.slice(0, 256) }),
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: auditEventItem(input.event, this.eventRetentionSeconds),
              },
            },
          ],
        }),
      );
      return { outcome: 'rotated' };
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons === undefined) throw error;
      const first = reasons[0];
      if (first?.code === 'ConditionalCheckFailed') {
        const session = first.item === undefined ? undefined : toSession(first.item);
        return { outcome: 'rejected', session: session?.userId === input.userId ? session : undefined };
      }
      // TransactionConflict: another use of the same session is in flight. Judge by what is stored.
      const session = await this.get(input.sessionId);
      return { outcome: 'rejected', session: session?.userId === input.userId ? session : undefined };
    }
  }

  /** Pattern: get a session by id (GetItem, consistent). */
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.session(sessionId), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : toSession(result.Item);
  }

  /** Pattern: revoke a live session of a user (TransactWriteItems: conditional update, put event). */
  async revoke(input: {
    userId: string;
    sessionId: string;
    reason: SessionRevokeReason;
    now: Date;
    event: AuditEvent;
  }): Promise<boolean> {
    const now = input.now.toISOString();
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.name,
                Key: keys.session(input.sessionId),
                UpdateExpression: 'SET revokedAt = :now, revokeReason = :reason',
                ConditionExpression:
                  'userId = :uid AND attribute_not_exists(revokedAt) AND idleExpiresAt > :now AND absoluteExpiresAt > :now',
                ExpressionAttributeValues: { ':now': now, ':reason': input.reason, ':uid': input.userId },
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: auditEventItem(input.event, this.eventRetentionSeconds),
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (failedConditionAt(error) === 0) return false;
      throw error;
    }
  }

  /** Pattern: list a user's sessions (Query gsi1, `USER#<id>`, sk begins_with `SESSION#`). */
  async listForUser(userId: string): Promise<SessionRecord[]> {
    const sessions: SessionRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.name,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.userByOwner(userId).gsi1pk,
            ':prefix': ranges.sessionPrefix,
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) sessions.push(toSession(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return sessions;
  }
}

function toSession(item: Record<string, unknown>): SessionRecord {
  return stripKeys<SessionRecord>(item);
}
