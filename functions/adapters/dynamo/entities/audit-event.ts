import type { AuditEvent } from '../../../domain/model';
import type { Expression } from '../expression';
import type { StoredItem } from '../table';
import { epochSeconds, recordOf } from './stored';

/** An account event in the user's partition, time-ordered: `USER#<id>` / `EVENT#<at>#<eventId>`. */
export const auditEvents = {
  prefix: 'EVENT#',

  key: (event: Pick<AuditEvent, 'userId' | 'at' | 'id'>) => ({
    pk: `USER#${event.userId}`,
    sk: `EVENT#${event.at}#${event.id}`,
  }),

  toItem: (event: AuditEvent, retentionSeconds: number): StoredItem => ({
    ...auditEvents.key(event),
    entity: 'event',
    ...event,
    expiresAt: epochSeconds(new Date(event.at)) + retentionSeconds,
  }),

  fromItem: (item: StoredItem): AuditEvent => recordOf<AuditEvent>(item),

  /** Where a page of a user's events resumes: the key of the last event of the previous page. */
  resumeAt: (userId: string, sk: string) => ({ pk: `USER#${userId}`, sk }),

  /** Not yet stripped of personal data (see `domain/audit-pseudonyms.ts`). */
  notPseudonymised: { expression: 'attribute_not_exists(pseudonymised)' } as Expression,

  /** Pattern: a user's events (base table, sk begins with `EVENT#`). */
  ofUser: (userId: string): Expression => ({
    expression: 'pk = :pk AND begins_with(sk, :events)',
    values: { ':pk': `USER#${userId}`, ':events': auditEvents.prefix },
  }),
} as const;
