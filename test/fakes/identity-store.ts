import type { IdentityStore } from '../../functions/domain/ports/identity-store';
import { InMemoryTable, identityKey } from './in-memory-table';

/** {@link IdentityStore} in memory: the last way in is never removed. */
export class InMemoryIdentityStore implements IdentityStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async unlink(input: Parameters<IdentityStore['unlink']>[0]): Promise<'unlinked' | 'last' | 'gone'> {
    const { type, subject, userId } = input.identity;
    if (this.table.identity(type, subject)?.userId !== userId) return 'gone';
    const user = this.table.users.get(userId);
    if (user === undefined || (input.evenLast !== true && (user.identityCount ?? 0) <= 1)) return 'last';
    this.table.identities.delete(identityKey(type, subject));
    this.table.countIdentities(userId, -1);
    if (type === 'phone') delete user.phone;
    this.table.appendAuditEvent(input.event);
    return 'unlinked';
  }
}
