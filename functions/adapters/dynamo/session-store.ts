import type { SessionRecord } from '../../domain/model';
import type { RotationResult, SessionStore } from '../../domain/ports/session-store';
import { auditEvents } from './entities/audit-event';
import { owner } from './entities/owner';
import { sessions } from './entities/session';
import { epochSeconds } from './entities/stored';
import type { Expression } from './expression';
import type { Table } from './table';

/** Sessions in DynamoDB. Rotation and revocation are conditional writes, each with its event. */
export class DynamoSessionStore implements SessionStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /**
   * Pattern: rotate a refresh token (one UpdateItem: conditional on the presented hash and a live
   * session; `ALL_NEW` on success, `ALL_OLD` when the condition fails).
   */
  async rotate(input: Parameters<SessionStore['rotate']>[0]): Promise<RotationResult> {
    const { ip, userAgent } = input.client;
    const result = await this.table.update(
      sessions.key(input.sessionId),
      {
        expression: [
          'SET refreshHash = :next, previousRefreshHash = :expected, rotatedAt = :now, lastUsedAt = :now',
          'idleExpiresAt = :idle, expiresAt = :ttl',
          ...(ip === undefined ? [] : ['ip = :ip']),
          ...(userAgent === undefined ? [] : ['userAgent = :ua']),
        ].join(', '),
        values: {
          ':next': input.nextHash,
          ':idle': input.idleExpiresAt.toISOString(),
          ':ttl': epochSeconds(input.idleExpiresAt),
          ...(ip === undefined ? {} : { ':ip': ip }),
          ...(userAgent === undefined ? {} : { ':ua': userAgent.slice(0, 256) }),
        },
      },
      {
        expression: `refreshHash = :expected AND ${LIVE.expression}`,
        values: { ':expected': input.expectedHash, ...live(input.userId, input.now) },
      },
    );
    if (result.written) return { outcome: 'rotated', session: sessions.fromItem(result.attributes ?? {}) };
    const session = result.old === undefined ? undefined : sessions.fromItem(result.old);
    return { outcome: 'rejected', session: session?.userId === input.userId ? session : undefined };
  }

  /**
   * Pattern: re-authenticate a live session (TransactWriteItems: conditional update of `authTime`
   * and the refresh token, put event).
   */
  async reauthenticate(input: Parameters<SessionStore['reauthenticate']>[0]): Promise<boolean> {
    const outcome = await this.table
      .transaction()
      .update(
        sessions.key(input.sessionId),
        {
          expression:
            'SET authTime = :now, previousRefreshHash = refreshHash, refreshHash = :next, rotatedAt = :now, lastUsedAt = :now',
          values: { ':next': input.nextHash },
        },
        { if: { expression: LIVE.expression, values: live(input.userId, input.now) }, name: 'session' },
      )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    return outcome.ok;
  }

  /** Pattern: a session, read consistently (sensitive routes check it is live). */
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const item = await this.table.get(sessions.key(sessionId));
    return item === undefined ? undefined : sessions.fromItem(item);
  }

  /** Pattern: revoke a live session of a user (TransactWriteItems: conditional update, put event). */
  async revoke(input: Parameters<SessionStore['revoke']>[0]): Promise<boolean> {
    const outcome = await this.table
      .transaction()
      .update(
        sessions.key(input.sessionId),
        { expression: 'SET revokedAt = :now, revokeReason = :reason', values: { ':reason': input.reason } },
        { if: { expression: LIVE.expression, values: live(input.userId, input.now) }, name: 'session' },
      )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    return outcome.ok;
  }

  /** Pattern: list a user's sessions (Query gsi1, `USER#<id>`, sk begins_with `SESSION#`). */
  async listForUser(userId: string): Promise<SessionRecord[]> {
    const items = await this.table.queryAll({ index: 'gsi1', key: owner.ofKind(userId, 'SESSION#') });
    return items.map(sessions.fromItem);
  }
}

/** The session is this user's, not revoked, and within both expiries at `:now`. */
const LIVE: Expression = {
  expression:
    'userId = :uid AND attribute_not_exists(revokedAt) AND idleExpiresAt > :now AND absoluteExpiresAt > :now',
};

function live(userId: string, now: Date) {
  return { ':uid': userId, ':now': now.toISOString() };
}
