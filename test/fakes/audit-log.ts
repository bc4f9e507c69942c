import { ValidationFailedError } from '../../functions/domain/errors';
import type { AuditEvent } from '../../functions/domain/model';
import type { AuditLog, EventPage } from '../../functions/domain/ports/audit-log';
import { copy, cursors, InMemoryTable } from './in-memory-table';

const PREFIX = 'EVENT#';

/**
 * {@link AuditLog} in memory. Pages like the DynamoDB query: `limit` events are read, those past
 * their retention are dropped from the page, and a cursor is given whenever the page was full.
 */
export class InMemoryAuditLog implements AuditLog {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async append(event: AuditEvent): Promise<void> {
    this.table.appendAuditEvent(event);
  }

  async list(userId: string, input: { limit: number; cursor?: string; now: Date }): Promise<EventPage> {
    const after = input.cursor === undefined ? undefined : cursors.decode(input.cursor, PREFIX);
    if (input.cursor !== undefined && after === undefined) {
      throw new ValidationFailedError([{ path: 'cursor', message: 'Not a cursor this API handed out.' }]);
    }
    const position = (e: AuditEvent) => `${PREFIX}${e.at}#${e.id}`;
    const read = this.table.auditEvents
      .filter(({ event }) => event.userId === userId)
      .sort((a, b) => position(b.event).localeCompare(position(a.event)))
      .filter(({ event }) => after === undefined || position(event) < after)
      .slice(0, input.limit);
    const nowEpoch = Math.floor(input.now.getTime() / 1000);
    const last = read.at(-1);
    return {
      events: read.filter((e) => e.expiresAt > nowEpoch).map((e) => copy(e.event)),
      ...(read.length === input.limit && last !== undefined
        ? { nextCursor: cursors.encode(position(last.event)) }
        : {}),
    };
  }
}
