import type { AccountDeletionStore } from '../../domain/ports/account-deletion-store';
import { auditEvents } from './entities/audit-event';
import { identities, identityTypes } from './entities/identity';
import { deletedUsers, users } from './entities/user';
import { conditions } from './expression';
import type { Table } from './table';

/** Account deletion: the profile and identities go, a tombstone stays. */
export class DynamoAccountDeletionStore implements AccountDeletionStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /**
   * Pattern: delete an account (TransactWriteItems: the profile if present; each identity if
   * still the user's, and its type guard; the tombstone; the event). At most 6 identities, so at
   * most 15 items.
   */
  async deleteAccount(
    input: Parameters<AccountDeletionStore['deleteAccount']>[0],
  ): Promise<'deleted' | 'gone'> {
    const { user } = input;
    let tx = this.table.transaction().delete(users.key(user.id), { if: conditions.present, name: 'user' });
    for (const identity of input.identities) {
      tx = tx
        .delete(identities.key(identity.type, identity.subject), { if: conditions.ownedBy(user.id) })
        .delete(identityTypes.key(user.id, identity.type));
    }
    const outcome = await tx
      .put(
        deletedUsers.toItem({
          userId: user.id,
          deletedAt: input.deletedAt,
          retentionSeconds: this.eventRetentionSeconds,
        }),
      )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    return outcome.ok ? 'deleted' : 'gone';
  }

  /** Pattern: is the account deleted (GetItem of its tombstone, consistent). */
  async isDeleted(userId: string): Promise<boolean> {
    return (await this.table.get(deletedUsers.key(userId))) !== undefined;
  }

  /**
   * Pattern: a page of a user's events not yet pseudonymised (Query base table, `USER#<id>`, sk
   * begins_with `EVENT#`, oldest first, filter `attribute_not_exists(pseudonymised)`).
   */
  async eventsToPseudonymise(
    userId: string,
    page: Parameters<AccountDeletionStore['eventsToPseudonymise']>[1],
  ): ReturnType<AccountDeletionStore['eventsToPseudonymise']> {
    const { items, lastKey } = await this.table.query({
      key: auditEvents.ofUser(userId),
      filter: auditEvents.notPseudonymised,
      limit: page.limit,
      consistent: true,
      ...(page.after === undefined ? {} : { after: auditEvents.resumeAt(userId, page.after) }),
    });
    const next = lastKey?.sk;
    return { events: items.map(auditEvents.fromItem), ...(typeof next === 'string' ? { next } : {}) };
  }

  /** Pattern: replace an event by its pseudonymised form (PutItem if it is still stored; same TTL). */
  async replaceEvent(event: Parameters<AccountDeletionStore['replaceEvent']>[0]): Promise<void> {
    await this.table.put(auditEvents.toItem(event, this.eventRetentionSeconds), conditions.present);
  }
}
