import type { IdentityStore } from '../../domain/ports/identity-store';
import { auditEvents } from './entities/audit-event';
import { identities, identityTypes } from './entities/identity';
import { users } from './entities/user';
import { conditions } from './expression';
import type { Table } from './table';

/** Unlinking ways in, keeping `identityCount` so the last one can never be removed, even by racing requests. */
export class DynamoIdentityStore implements IdentityStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: unlink an identity (TransactWriteItems: delete identity, decrement count unless last, release the type's guard, event). */
  async unlink(input: Parameters<IdentityStore['unlink']>[0]): Promise<'unlinked' | 'last' | 'gone'> {
    const { type, subject, userId } = input.identity;
    const outcome = await this.table
      .transaction()
      .delete(identities.key(type, subject), { if: conditions.ownedBy(userId), name: 'identity' })
      .update(
        users.key(userId),
        {
          expression: `ADD identityCount :minus${type === 'phone' ? ' REMOVE phone' : ''}`,
          values: { ':minus': -1 },
        },
        input.evenLast === true
          ? { if: conditions.present, name: 'count' }
          : { if: { expression: 'identityCount > :one', values: { ':one': 1 } }, name: 'count' },
      )
      .delete(identityTypes.key(userId, type))
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    if (outcome.ok) return 'unlinked';
    return outcome.failed === 'identity' ? 'gone' : 'last';
  }
}
