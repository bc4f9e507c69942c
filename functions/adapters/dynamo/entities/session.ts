import type { AuditEvent, SessionRecord } from '../../../domain/model';
import { sessionExpiresAt } from '../../../domain/session-policy';
import { conditions } from '../expression';
import type { StoredItem } from '../table';
import type { Transaction } from '../transaction';
import { auditEvents } from './audit-event';
import { owner } from './owner';
import { epochSeconds, recordOf } from './stored';

/** A refresh-token session: `SESSION#<id>` / `SESSION`, newest last on the owner's gsi1 partition. */
export const sessions = {
  key: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),

  toItem: (session: SessionRecord): StoredItem => ({
    ...sessions.key(session.id),
    gsi1pk: owner.partition(session.userId),
    gsi1sk: `SESSION#${session.createdAt}#${session.id}`,
    entity: 'session',
    ...session,
    expiresAt: epochSeconds(sessionExpiresAt(session)),
  }),

  fromItem: (item: StoredItem): SessionRecord => recordOf<SessionRecord>(item),
} as const;

/** The writes that start a session: the session under a new id, and its audit event. */
export function startSession<T extends string>(
  tx: Transaction<T>,
  input: { session: SessionRecord; event: AuditEvent },
  eventRetentionSeconds: number,
): Transaction<T> {
  return tx
    .put(sessions.toItem(input.session), { if: conditions.absent })
    .put(auditEvents.toItem(input.event, eventRetentionSeconds));
}
