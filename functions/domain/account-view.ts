import type { Clock } from './clock';
import { NotFoundError } from './errors';
import { type AuditEvent, toUserView, type UserRecord, type UserView } from './model';
import type { AuditLog } from './ports/audit-log';
import type { UserDirectory } from './ports/user-directory';

/**
 * The signed-in user with identities (`GET /v1/me`).
 *
 * @example
 * const me = await getAccount({ users })(userId);
 */
export function getAccount(deps: {
  users: UserDirectory;
  /** Brings `emailConfirmed` up to date with the subscription (see `syncEmailConfirmation`). */
  syncEmail?: (user: UserRecord) => Promise<UserRecord>;
}) {
  return async (userId: string): Promise<UserView> => {
    const found = await deps.users.getUser(userId);
    if (found === undefined) throw new NotFoundError('No such user.');
    const user = deps.syncEmail === undefined ? found.user : await deps.syncEmail(found.user);
    return toUserView(user, found.identities);
  };
}

/** An audit event as the API shows it: no user id (it is the caller's), nothing internal. */
export type EventView = Omit<AuditEvent, 'userId'>;

/** One page of the account's audit history, newest first (`GET /v1/me/events`). */
export function listAccountEvents(deps: { audit: AuditLog; clock: Clock }) {
  return async (
    userId: string,
    cursor: string | undefined,
  ): Promise<{ events: EventView[]; nextCursor?: string }> => {
    const page = await deps.audit.list(userId, {
      limit: 25,
      now: deps.clock.now(),
      ...(cursor === undefined ? {} : { cursor }),
    });
    return {
      events: page.events.map(({ userId: _omit, ...rest }) => rest),
      ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
    };
  };
}
