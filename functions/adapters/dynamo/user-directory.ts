import type { UserDirectory, UserWithIdentities } from '../../domain/ports/user-directory';
import { identities } from './entities/identity';
import { owner } from './entities/owner';
import { users } from './entities/user';
import type { Table } from './table';

/** Users with their identities, read in one query of gsi1. */
export class DynamoUserDirectory implements UserDirectory {
  constructor(private readonly table: Table) {}

  /** Pattern: a user's profile and identities (Query gsi1, `USER#<id>`, sk `#PROFILE`…`IDENTITY#~`). */
  async getUser(userId: string): Promise<UserWithIdentities | undefined> {
    const items = await this.table.queryAll({ index: 'gsi1', key: owner.profileAndIdentities(userId) });
    const profile = items.find((i) => i.entity === 'user');
    if (profile === undefined) return undefined;
    return {
      user: users.fromItem(profile),
      identities: items
        .filter((i) => i.entity === 'identity')
        .map(identities.fromItem)
        .map(({ passwordHash: _never, ...identity }) => identity)
        .sort((a, b) => a.linkedAt.localeCompare(b.linkedAt)),
    };
  }
}
