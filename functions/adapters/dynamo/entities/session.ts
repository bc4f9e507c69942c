import type { AuditEvent, SessionRecord } from '../../../domain/model';
import { sessionExpiresAt } from '../../../domain/session-policy';
import { conditions } from '../expression';
import type { StoredItem } from '../table';
import type { Transaction } from '../transaction';
import { activities } from './activity';
import { auditEvents } from './audit-event';
import { owner } from './owner';
import { epochSeconds, recordOf } from './stored';

/** A refresh-token session: `SESSION#<id>` / `SESSION`, newest last on the owner's gsi1 partition. */
export const sessions = {
  key: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),

  /** Its place on the owner's gsi1 partition: in the order the sessions started. */
  ownerSortKey: (createdAt: string, sessionId: string) => `SESSION#${createdAt}#${sessionId}`,

  toItem: (session: SessionRecord): StoredItem => ({
    ...sessions.key(session.id),
    gsi1pk: owner.partition(session.userId),
    gsi1sk: sessions.ownerSortKey(session.createdAt, session.id),
    entity: 'session',
    ...session,
    expiresAt: epochSeconds(sessionExpiresAt(session)),
  }),

  fromItem: (item: StoredItem): SessionRecord => recordOf<SessionRecord>(item),
} as const;

/**
 * The writes that start a session: the session under a new id, its audit event, and the user's
 * last sign-in (what tells a dormant account, see `domain/recycled-numbers.ts`).
 */
export function startSession<T extends string>(
  tx: Transaction<T>,
  input: { session: SessionRecord; event: AuditEvent },
  eventRetentionSeconds: number,
): Transaction<T> {
  return tx
    .put(sessions.toItem(input.session), { if: conditions.absent })
    .put(auditEvents.toItem(input.event, eventRetentionSeconds))
    .put(activities.toItem(input.session.userId, input.session.createdAt));
}
