import { ConflictError, InvariantError } from '../../functions/domain/errors';
import type { IdentityRecord, IdentityType, ProviderToken } from '../../functions/domain/model';
import type { SocialIdentityStore } from '../../functions/domain/ports/social-identity-store';
import { copy, InMemoryTable, identityKey } from './in-memory-table';

/** {@link SocialIdentityStore} in memory: a provider subject belongs to one user. */
export class InMemorySocialIdentityStore implements SocialIdentityStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async findIdentity(type: IdentityType, subject: string): Promise<IdentityRecord | undefined> {
    return this.table.identity(type, subject);
  }

  async createUserWithIdentity(
    input: Parameters<SocialIdentityStore['createUserWithIdentity']>[0],
  ): Promise<'created' | 'identity_taken'> {
    if (this.table.identity(input.identity.type, input.identity.subject) !== undefined)
      return 'identity_taken';
    if (this.table.users.has(input.user.id)) throw new InvariantError('A user id was reused.');
    this.table.putIdentity(input.identity);
    this.table.users.set(input.user.id, copy(input.user));
    this.table.appendAuditEvent(input.event);
    return 'created';
  }

  async linkIdentity(
    input: Parameters<SocialIdentityStore['linkIdentity']>[0],
  ): Promise<'linked' | 'identity_taken' | 'type_taken'> {
    const userId = input.identity.userId;
    if (this.table.identity(input.identity.type, input.identity.subject) !== undefined)
      return 'identity_taken';
    if (input.replaced === undefined && this.table.hasIdentityType(userId, input.identity.type))
      return 'type_taken';
    const replaced =
      input.replaced === undefined
        ? undefined
        : this.table.identity(input.replaced.type, input.replaced.subject);
    if (!this.table.users.has(userId) || (input.replaced !== undefined && replaced?.userId !== userId)) {
      throw new ConflictError();
    }
    this.table.putIdentity(input.identity);
    if (replaced === undefined) this.table.countIdentities(userId, 1);
    else this.table.identities.delete(identityKey(replaced.type, replaced.subject));
    this.table.appendAuditEvent(input.event);
    return 'linked';
  }

  async saveProviderToken(identity: IdentityRecord, token: ProviderToken): Promise<void> {
    const stored = this.table.identity(identity.type, identity.subject);
    if (stored?.userId !== identity.userId) return;
    this.table.putIdentity({ ...stored, providerToken: token });
  }
}
