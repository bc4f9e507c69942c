import type { IdentityRecord, IdentityType } from '../../domain/model';
import type { SocialIdentityStore } from '../../domain/ports/social-identity-store';
import { auditEvents } from './entities/audit-event';
import { identities } from './entities/identity';
import { createUser, users } from './entities/user';
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

  /** Pattern: link an identity (TransactWriteItems: identity, user count or old identity if still theirs, event). */
  async linkIdentity(
    input: Parameters<SocialIdentityStore['linkIdentity']>[0],
  ): Promise<'linked' | 'identity_taken'> {
    const userId = input.identity.userId;
    const tx = this.table
      .transaction()
      .put(identities.toItem(input.identity), { if: conditions.absent, name: 'identity' });
    const replaced = input.replaced;
    const outcome = await (replaced === undefined
      ? tx.update(users.key(userId), users.countIdentities(1), { if: conditions.present })
      : tx.delete(identities.key(replaced.type, replaced.subject), { if: conditions.ownedBy(userId) })
    )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    return outcome.ok ? 'linked' : 'identity_taken';
  }
}
