import { ConflictError } from '../../domain/errors';
import type { IdentityRecord, IdentityType, ProviderToken } from '../../domain/model';
import type { SocialIdentityStore } from '../../domain/ports/social-identity-store';
import { auditEvents } from './entities/audit-event';
import { identities } from './entities/identity';
import { addIdentity, createUser, replaceIdentity } from './entities/user';
import { conditions } from './expression';
import type { Table } from './table';

/** Third-party identities (WeChat, QQ, Apple, Google): each provider subject belongs to one user. */
export class DynamoSocialIdentityStore implements SocialIdentityStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: an identity by its natural key (GetItem, consistent). */
  async findIdentity(type: IdentityType, subject: string): Promise<IdentityRecord | undefined> {
    const item = await this.table.get(identities.key(type, subject));
    return item === undefined ? undefined : identities.fromItem(item);
  }

  /** Pattern: create a user with a third-party identity (TransactWriteItems: identity, user, event). */
  async createUserWithIdentity(
    input: Parameters<SocialIdentityStore['createUserWithIdentity']>[0],
  ): Promise<'created' | 'identity_taken'> {
    const outcome = await createUser(this.table.transaction(), input, 'identity')
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    return outcome.ok ? 'created' : 'identity_taken';
  }

  /**
   * Pattern: link an identity (TransactWriteItems: identity, then either the type's guard and the
   * user's count, or the old identity of that type if still theirs and the guard moved; event).
   */
  async linkIdentity(
    input: Parameters<SocialIdentityStore['linkIdentity']>[0],
  ): Promise<'linked' | 'identity_taken' | 'type_taken'> {
    const { identity, replaced } = input;
    const tx = this.table.transaction();
    const outcome = await (replaced === undefined
      ? addIdentity(tx, identity, 'identity')
      : replaceIdentity(tx, { identity, replaced }, 'identity')
    )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    if (outcome.ok) return 'linked';
    if (outcome.failed === 'user') throw new ConflictError();
    return outcome.failed === 'type' ? 'type_taken' : 'identity_taken';
  }

  /** Pattern: keep a provider token on an identity (UpdateItem, if still the same user's). */
  async saveProviderToken(identity: IdentityRecord, token: ProviderToken): Promise<void> {
    await this.table.update(
      identities.key(identity.type, identity.subject),
      { expression: 'SET providerToken = :token', values: { ':token': token } },
      conditions.ownedBy(identity.userId),
    );
  }
}
