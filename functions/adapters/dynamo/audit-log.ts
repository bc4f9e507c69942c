import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../../domain/clock';
import type { AuditEvent } from '../../domain/model';
import type { AuditLog, EventPage } from '../../domain/ports/audit-log';
import { decodeCursor, encodeCursor } from './cursor';
import { auditEventItem } from './items';
import { keys, ranges } from './keys';
import { stripKeys, type Table } from './table';

/** The account audit history in the user's partition, newest first. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly table: Table,
    private readonly retentionSeconds: number,
  ) {}

  /** Pattern: append an event (PutItem). */
  async append(event: AuditEvent): Promise<void> {
    await this.table.client.send(
      new PutCommand({ TableName: this.table.name, Item: auditEventItem(event, this.retentionSeconds) }),
    );
  }

  /** Pattern: a user's events, newest first (Query base table, `USER#<id>`, sk begins_with `EVENT#`). */
  async list(userId: string, input: { limit: number; cursor?: string; now: Date }): Promise<EventPage> {
    const pk = keys.user(userId).pk;
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeValues: {
          ':pk': pk,
          ':prefix': ranges.eventPrefix,
          ':now': epochSeconds(input.now),
        },
        ScanIndexForward: false,
        Limit: input.limit,
        ...(input.cursor === undefined
          ? {}
          : { ExclusiveStartKey: { pk, sk: decodeCursor(input.cursor, ranges.eventPrefix) } }),
      }),
    );
    const events = (result.Items ?? []).map((item) => stripKeys<AuditEvent>(item));
    const last = result.LastEvaluatedKey?.sk;
    return { events, ...(typeof last === 'string' ? { nextCursor: encodeCursor(last) } : {}) };
  }
}
