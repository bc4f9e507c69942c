import type { SessionRecord } from '../../functions/domain/model';
import type { RotationResult, SessionStore } from '../../functions/domain/ports/session-store';
import { isSessionLive } from '../../functions/domain/session-policy';
import { copy, InMemoryTable } from './in-memory-table';

/** {@link SessionStore} in memory, with the DynamoDB adapter's conditions. */
export class InMemorySessionStore implements SessionStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  /** Seeds a stored session (as a sign-in would have). */
  add(session: SessionRecord): void {
    this.table.sessions.set(session.id, copy(session));
  }

  async rotate(input: Parameters<SessionStore['rotate']>[0]): Promise<RotationResult> {
    const stored = this.table.sessions.get(input.sessionId);
    const mine = stored?.userId === input.userId ? stored : undefined;
    if (mine === undefined || mine.refreshHash !== input.expectedHash || !isSessionLive(mine, input.now)) {
      return { outcome: 'rejected', session: copy(mine) };
    }
    const now = input.now.toISOString();
    const rotated: SessionRecord = {
      ...mine,
      refreshHash: input.nextHash,
      previousRefreshHash: input.expectedHash,
      rotatedAt: now,
      graceBox: input.graceBox,
      generation: (mine.generation ?? 0) + 1,
      familyKey: mine.familyKey ?? input.familyKey,
      lastUsedAt: now,
      idleExpiresAt: input.idleExpiresAt.toISOString(),
      ...(input.client.ip === undefined ? {} : { ip: input.client.ip }),
      ...(input.client.userAgent === undefined ? {} : { userAgent: input.client.userAgent.slice(0, 256) }),
    };
    this.table.sessions.set(mine.id, rotated);
    return { outcome: 'rotated', session: copy(rotated) };
  }

  async reauthenticate(
    input: Parameters<SessionStore['reauthenticate']>[0],
  ): Promise<SessionRecord | undefined> {
    const stored = this.table.sessions.get(input.sessionId);
    if (stored === undefined || stored.userId !== input.userId || !isSessionLive(stored, input.now))
      return undefined;
    const now = input.now.toISOString();
    const { graceBox: _dropped, ...kept } = stored;
    const renewed: SessionRecord = {
      ...kept,
      authTime: now,
      previousRefreshHash: stored.refreshHash,
      refreshHash: input.nextHash,
      rotatedAt: now,
      lastUsedAt: now,
      generation: (stored.generation ?? 0) + 1,
      familyKey: stored.familyKey ?? input.familyKey,
    };
    this.table.sessions.set(stored.id, renewed);
    this.table.appendAuditEvent(input.event);
    return copy(renewed);
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    return copy(this.table.sessions.get(sessionId));
  }

  async revoke(input: Parameters<SessionStore['revoke']>[0]): Promise<boolean> {
    const stored = this.table.sessions.get(input.sessionId);
    if (stored === undefined || stored.userId !== input.userId || !isSessionLive(stored, input.now))
      return false;
    this.table.sessions.set(stored.id, {
      ...stored,
      revokedAt: input.now.toISOString(),
      revokeReason: input.reason,
    });
    this.table.appendAuditEvent(input.event);
    return true;
  }

  async listForUser(userId: string): Promise<SessionRecord[]> {
    return [...this.table.sessions.values()].filter((s) => s.userId === userId).map(copy);
  }
}
