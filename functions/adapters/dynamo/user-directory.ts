import type { DeviceSeen, UserDirectory, UserWithIdentities } from '../../domain/ports/user-directory';
import { identities } from './entities/identity';
import { owner } from './entities/owner';
import { users } from './entities/user';
import type { StoredItem, Table } from './table';

/** Users with their identities, read in one query of gsi1. */
export class DynamoUserDirectory implements UserDirectory {
  constructor(private readonly table: Table) {}

  /** Pattern: a user's profile and identities (Query gsi1, `USER#<id>`, sk `#PROFILE`…`IDENTITY#~`). */
  async getUser(userId: string): Promise<UserWithIdentities | undefined> {
    const items = await this.table.queryAll({ index: 'gsi1', key: owner.profileAndIdentities(userId) });
    return withIdentities(items);
  }

  /**
   * Pattern: a user's profile, identities and sessions in one query (Query gsi1, `USER#<id>`, sk
   * `#PROFILE`…`SESSION#~`, bank-link entries filtered out): a sign-in's answer and its
   * new-device check for one call. One page for all but users with hundreds of stored sessions.
   */
  async getUserForSignIn(
    userId: string,
  ): Promise<(UserWithIdentities & { devices: DeviceSeen[] }) | undefined> {
    const items = await this.table.queryAll({
      index: 'gsi1',
      key: owner.profileToSessions(userId),
      filter: {
        expression: 'entity IN (:user, :identity, :session)',
        values: { ':user': 'user', ':identity': 'identity', ':session': 'session' },
      },
    });
    const found = withIdentities(items);
    if (found === undefined) return undefined;
    const devices = items
      .filter((i) => i.entity === 'session')
      .map(
        (i): DeviceSeen => ({
          sessionId: String(i.id),
          startedAt: String(i.createdAt),
          ...(typeof i.userAgent === 'string' ? { userAgent: i.userAgent } : {}),
        }),
      );
    return { ...found, devices };
  }
}

/** The profile and identities among a user's gsi1 items; undefined without a profile. */
function withIdentities(items: StoredItem[]): UserWithIdentities | undefined {
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
