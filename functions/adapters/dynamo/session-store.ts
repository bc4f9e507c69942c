import type { SessionRecord } from '../../domain/model';
import type { DeviceHistory } from '../../domain/ports/device-history';
import type { RotationResult, SessionStore } from '../../domain/ports/session-store';
import { auditEvents } from './entities/audit-event';
import { owner } from './entities/owner';
import { listRevokedSessions } from './entities/revoked-session';
import { sessions } from './entities/session';
import { epochSeconds } from './entities/stored';
import type { Expression } from './expression';
import type { StoredItem, Table } from './table';

/** Sessions in DynamoDB. Rotation and revocation are conditional writes, each with its event. */
export class DynamoSessionStore implements SessionStore, DeviceHistory {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
    /** How long a revoked session stays on the revocation list (config `revocationList`). */
    private readonly revocationEntrySeconds: number,
  ) {}

  /**
   * Pattern: rotate a refresh token (one UpdateItem: conditional on the presented hash and a live
   * session, advancing the family's generation; `ALL_NEW` on success, `ALL_OLD` when the
   * condition fails, for the caller to tell reuse, grace, expiry and revocation apart).
   */
  async rotate(input: Parameters<SessionStore['rotate']>[0]): Promise<RotationResult> {
    const { ip, userAgent } = input.client;
    const result = await this.table.update(
      sessions.key(input.sessionId),
      {
        expression: [
          'SET refreshHash = :next, previousRefreshHash = :expected, rotatedAt = :now, lastUsedAt = :now',
          'idleExpiresAt = :idle, expiresAt = :ttl, graceBox = :box',
          'generation = if_not_exists(generation, :zero) + :one, familyKey = if_not_exists(familyKey, :fk)',
          ...(ip === undefined ? [] : ['ip = :ip']),
          ...(userAgent === undefined ? [] : ['userAgent = :ua']),
        ].join(', '),
        values: {
          ':next': input.nextHash,
          ':box': input.graceBox,
          ':zero': 0,
          ':one': 1,
          ':fk': input.familyKey,
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
   * Pattern: re-authenticate a live session (UpdateItem: conditional, `ALL_NEW`; then put its
   * event). The refresh token moves to the next generation; the grace box is dropped (the token
   * the client held is not re-issued after a re-authentication).
   */
  async reauthenticate(
    input: Parameters<SessionStore['reauthenticate']>[0],
  ): Promise<SessionRecord | undefined> {
    const result = await this.table.update(
      sessions.key(input.sessionId),
      {
        expression: [
          'SET authTime = :now, previousRefreshHash = refreshHash, refreshHash = :next, rotatedAt = :now',
          'lastUsedAt = :now, generation = if_not_exists(generation, :zero) + :one',
          'familyKey = if_not_exists(familyKey, :fk) REMOVE graceBox',
        ].join(', '),
        values: { ':next': input.nextHash, ':zero': 0, ':one': 1, ':fk': input.familyKey },
      },
      { expression: LIVE.expression, values: live(input.userId, input.now) },
    );
    if (!result.written) return undefined;
    await this.table.put(auditEvents.toItem(input.event, this.eventRetentionSeconds));
    return sessions.fromItem(result.attributes ?? {});
  }

  /** Pattern: a session, read consistently (sensitive routes check it is live). */
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const item = await this.table.get(sessions.key(sessionId));
    return item === undefined ? undefined : sessions.fromItem(item);
  }

  /**
   * Pattern: revoke a live session of a user (TransactWriteItems: conditional update, put event,
   * add the session to the revocation list so its access tokens are refused within seconds).
   */
  async revoke(input: Parameters<SessionStore['revoke']>[0]): Promise<boolean> {
    const tx = this.table
      .transaction()
      .update(
        sessions.key(input.sessionId),
        { expression: 'SET revokedAt = :now, revokeReason = :reason', values: { ':reason': input.reason } },
        { if: { expression: LIVE.expression, values: live(input.userId, input.now) }, name: 'session' },
      )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds));
    const until = new Date(input.now.getTime() + this.revocationEntrySeconds * 1000);
    const outcome = await listRevokedSessions(tx, {
      sessionIds: [input.sessionId],
      now: input.now,
      until,
    }).run();
    return outcome.ok;
  }

  /**
   * Pattern: has a session of the user started earlier come from this user agent (Query gsi1,
   * `USER#<id>`, sk `SESSION#` … this session's, newest first, filtered on `userAgent`; pages
   * only until the first match — one page for all but users with hundreds of stored sessions).
   */
  async seenBefore(input: Parameters<DeviceHistory['seenBefore']>[0]): Promise<boolean> {
    const filter: Expression =
      input.userAgent === undefined
        ? {
            expression: 'id <> :own AND attribute_not_exists(userAgent)',
            values: { ':own': input.before.sessionId },
          }
        : {
            expression: 'id <> :own AND userAgent = :ua',
            values: { ':own': input.before.sessionId, ':ua': input.userAgent },
          };
    const key = owner.sessionsUpTo(
      input.userId,
      sessions.ownerSortKey(input.before.startedAt, input.before.sessionId),
    );
    let after: StoredItem | undefined;
    do {
      const page = await this.table.query({
        index: 'gsi1',
        key,
        filter,
        newestFirst: true,
        ...(after === undefined ? {} : { after }),
      });
      if (page.items.length > 0) return true;
      after = page.lastKey;
    } while (after !== undefined);
    return false;
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
