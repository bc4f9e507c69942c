import type { IdentityRecord, SessionRecord, UserRecord } from '../../functions/domain/model';
import type { RotationResult, SessionStore, UserDirectory } from '../../functions/domain/ports';
import { isSessionLive } from '../../functions/domain/session-policy';

/** A SessionStore in memory, with the same conditions as the DynamoDB one. */
export class InMemorySessionStore implements SessionStore {
  readonly sessions = new Map<string, SessionRecord>();
  readonly events: string[] = [];

  async rotate(input: Parameters<SessionStore['rotate']>[0]): Promise<RotationResult> {
    const s = this.sessions.get(input.sessionId);
    if (
      s === undefined ||
      s.userId !== input.userId ||
      s.refreshHash !== input.expectedHash ||
      !isSessionLive(s, input.now)
    ) {
      return { outcome: 'rejected', session: s === undefined ? undefined : { ...s } };
    }
    const now = input.now.toISOString();
    this.sessions.set(s.id, {
      ...s,
      refreshHash: input.nextHash,
      previousRefreshHash: input.expectedHash,
      rotatedAt: now,
      lastUsedAt: now,
      idleExpiresAt: input.idleExpiresAt.toISOString(),
    });
    this.events.push(input.event.type);
    return { outcome: 'rotated' };
  }

  async revoke(input: Parameters<SessionStore['revoke']>[0]): Promise<boolean> {
    const s = this.sessions.get(input.sessionId);
    if (s === undefined || s.userId !== input.userId || !isSessionLive(s, input.now)) return false;
    this.sessions.set(s.id, { ...s, revokedAt: input.now.toISOString(), revokeReason: input.reason });
    this.events.push(input.event.type);
    return true;
  }

  async listForUser(userId: string): Promise<SessionRecord[]> {
    return [...this.sessions.values()].filter((s) => s.userId === userId);
  }
}

/** A UserDirectory over fixed records. */
export class InMemoryUserDirectory implements UserDirectory {
  constructor(
    private readonly users: Map<string, { user: UserRecord; identities: IdentityRecord[] }> = new Map(),
  ) {}

  add(user: UserRecord, identities: IdentityRecord[] = []): void {
    this.users.set(user.id, { user, identities });
  }

  async getUser(userId: string) {
    return this.users.get(userId);
  }
}
