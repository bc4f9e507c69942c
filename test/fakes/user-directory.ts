import type { IdentityRecord, UserRecord } from '../../functions/domain/model';
import type {
  DeviceSeen,
  UserDirectory,
  UserWithIdentities,
} from '../../functions/domain/ports/user-directory';
import { copy, InMemoryTable } from './in-memory-table';

/** {@link UserDirectory} in memory: identities oldest first, never a password hash. */
export class InMemoryUserDirectory implements UserDirectory {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  /** Seeds a user and their identities (as a registration would have). */
  add(user: UserRecord, identities: IdentityRecord[] = []): void {
    this.table.users.set(user.id, copy({ identityCount: identities.length, ...user }));
    for (const identity of identities) this.table.putIdentity(identity);
  }

  async getUser(userId: string): Promise<UserWithIdentities | undefined> {
    const user = this.table.users.get(userId);
    if (user === undefined) return undefined;
    const identities = [...this.table.identities.values()]
      .filter((i) => i.userId === userId)
      .sort((a, b) => a.type.localeCompare(b.type))
      .sort((a, b) => a.linkedAt.localeCompare(b.linkedAt))
      .map(({ passwordHash: _never, ...identity }) => copy(identity));
    return { user: copy(user), identities };
  }

  async getUserForSignIn(
    userId: string,
  ): Promise<(UserWithIdentities & { devices: DeviceSeen[] }) | undefined> {
    const found = await this.getUser(userId);
    if (found === undefined) return undefined;
    const devices = [...this.table.sessions.values()]
      .filter((s) => s.userId === userId)
      .map(
        (s): DeviceSeen => ({
          sessionId: s.id,
          startedAt: s.createdAt,
          ...(s.userAgent === undefined ? {} : { userAgent: s.userAgent }),
        }),
      );
    return { ...found, devices };
  }
}
