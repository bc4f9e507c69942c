import { NotFoundError } from '../../functions/domain/errors';
import type { ProfileStore } from '../../functions/domain/ports/profile-store';
import { InMemoryTable } from './in-memory-table';

/** {@link ProfileStore} in memory. */
export class InMemoryProfileStore implements ProfileStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async update(input: Parameters<ProfileStore['update']>[0]): Promise<void> {
    const user = this.table.users.get(input.userId);
    if (user === undefined) throw new NotFoundError('No such user.');
    const { displayName, email, notifications, emailSubscription } = input.changes;
    if (displayName !== undefined) user.displayName = displayName;
    if (email !== undefined) {
      if (email === null) delete user.email;
      else user.email = email;
    }
    if (email !== undefined || emailSubscription !== undefined) user.emailConfirmed = false;
    if (notifications?.sms !== undefined) user.notifications.sms = notifications.sms;
    if (notifications?.email !== undefined) user.notifications.email = notifications.email;
    if (emailSubscription === null) delete user.emailSubscription;
    else if (emailSubscription !== undefined) user.emailSubscription = emailSubscription;
    this.table.appendAuditEvent(input.event);
  }

  async confirmEmail(input: Parameters<ProfileStore['confirmEmail']>[0]): Promise<boolean> {
    const user = this.table.users.get(input.userId);
    if (user === undefined || user.emailSubscription !== input.subscription) return false;
    user.emailConfirmed = true;
    this.table.appendAuditEvent(input.event);
    return true;
  }
}
