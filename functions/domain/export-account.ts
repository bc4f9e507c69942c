import { type ItemView, toItemView } from './bank-links';
import type { Clock } from './clock';
import { NotFoundError } from './errors';
import type { ItemEvent } from './item-state-machine';
import { type AuditEvent, type SessionRecord, toUserView, type UserView } from './model';
import type { AuditLog } from './ports/audit-log';
import type { PlaidItemStore } from './ports/plaid-item-store';
import type { SessionStore } from './ports/session-store';
import type { UserDirectory } from './ports/user-directory';

export interface ExportAccountDeps {
  clock: Clock;
  users: UserDirectory;
  sessions: Pick<SessionStore, 'listForUser'>;
  audit: Pick<AuditLog, 'list'>;
  items: Pick<PlaidItemStore, 'listForUser' | 'listEvents'>;
}

/** A session as exported: when, from where, how it ended; never a token or its hash. */
export type SessionExport = Pick<
  SessionRecord,
  | 'id'
  | 'createdAt'
  | 'lastUsedAt'
  | 'idleExpiresAt'
  | 'absoluteExpiresAt'
  | 'revokedAt'
  | 'revokeReason'
  | 'userAgent'
  | 'ip'
>;

/** Everything stored about a user (GDPR art. 15 access, art. 20 portability). */
export interface AccountExport {
  exportedAt: string;
  profile: UserView;
  sessions: SessionExport[];
  events: Omit<AuditEvent, 'userId'>[];
  bankLinks: (ItemView & { history: ItemEvent[] })[];
}

/** Reads every page of a paged listing. */
async function allPages<T>(
  page: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    all.push(...next.items);
    cursor = next.nextCursor;
  } while (cursor !== undefined);
  return all;
}

/**
 * `GET /v1/me/export`: the profile (identities with their masked labels), every session, the
 * audit history and every bank link with its history, as one JSON document. Fields are picked,
 * never copied whole, so no secret (password hash, refresh-token hash, Plaid or Apple token,
 * ciphertext) can slip in with a new field.
 *
 * @example
 * const document = await exportAccount(deps)(userId);
 */
export function exportAccount(deps: ExportAccountDeps) {
  return async (userId: string): Promise<AccountExport> => {
    const now = deps.clock.now();
    const found = await deps.users.getUser(userId);
    if (found === undefined) throw new NotFoundError('No such user.');
    const sessions = (await deps.sessions.listForUser(userId)).map(
      (s): SessionExport => ({
        id: s.id,
        createdAt: s.createdAt,
        lastUsedAt: s.lastUsedAt,
        idleExpiresAt: s.idleExpiresAt,
        absoluteExpiresAt: s.absoluteExpiresAt,
        ...(s.revokedAt === undefined ? {} : { revokedAt: s.revokedAt }),
        ...(s.revokeReason === undefined ? {} : { revokeReason: s.revokeReason }),
        ...(s.userAgent === undefined ? {} : { userAgent: s.userAgent }),
        ...(s.ip === undefined ? {} : { ip: s.ip }),
      }),
    );
    const events = await allPages(async (cursor) => {
      const page = await deps.audit.list(userId, {
        limit: 100,
        now,
        ...(cursor === undefined ? {} : { cursor }),
      });
      return {
        items: page.events.map(({ userId: _caller, ...event }) => event),
        ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
      };
    });
    const bankLinks = [];
    for (const item of await deps.items.listForUser(userId)) {
      const history = await allPages(async (cursor) => {
        const page = await deps.items.listEvents(item.itemId, {
          limit: 100,
          ...(cursor === undefined ? {} : { cursor }),
        });
        return {
          items: page.events,
          ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
        };
      });
      bankLinks.push({ ...toItemView(item), history });
    }
    return {
      exportedAt: now.toISOString(),
      profile: toUserView(found.user, found.identities),
      sessions,
      events,
      bankLinks,
    };
  };
}
