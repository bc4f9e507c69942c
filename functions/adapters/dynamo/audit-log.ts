import type { AuditEvent } from '../../domain/model';
import type { AuditLog, EventPage } from '../../domain/ports/audit-log';
import { decodeCursor, encodeCursor } from './cursor';
import { auditEvents } from './entities/audit-event';
import { epochSeconds } from './entities/stored';
import type { Table } from './table';

/** The account audit history in the user's partition, newest first. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly table: Table,
    private readonly retentionSeconds: number,
  ) {}

  /** Pattern: append an event (PutItem). */
  async append(event: AuditEvent): Promise<void> {
    await this.table.put(auditEvents.toItem(event, this.retentionSeconds));
  }

  /** Pattern: a user's events, newest first (Query base table, `USER#<id>`, sk begins_with `EVENT#`). */
  async list(userId: string, input: { limit: number; cursor?: string; now: Date }): Promise<EventPage> {
    const { items, lastKey } = await this.table.query({
      key: auditEvents.ofUser(userId),
      filter: { expression: 'expiresAt > :now', values: { ':now': epochSeconds(input.now) } },
      newestFirst: true,
      limit: input.limit,
      ...(input.cursor === undefined
        ? {}
        : { after: auditEvents.resumeAt(userId, decodeCursor(input.cursor, auditEvents.prefix)) }),
    });
    const last = lastKey?.sk;
    return {
      events: items.map(auditEvents.fromItem),
      ...(typeof last === 'string' ? { nextCursor: encodeCursor(last) } : {}),
    };
  }
}
