import type { Clock } from './clock';
import { NotFoundError } from './errors';
import type { ClientInfo } from './model';
import type { SessionStore } from './ports/session-store';
import type { TokenCrypto } from './ports/token-crypto';
import { auditEvent } from './session-issuer';
import { isSessionLive, sessionExpiresAt } from './session-policy';

export interface SessionDeps {
  clock: Clock;
  crypto: TokenCrypto;
  sessions: SessionStore;
}

/** A live session as the user sees it. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
  userAgent?: string;
  ip?: string;
}

/**
 * Lists the user's live sessions, newest first, marking the caller's own.
 *
 * @example
 * const sessions = await listSessions(deps)(userId, currentSessionId);
 */
export function listSessions(deps: SessionDeps) {
  return async (userId: string, currentSessionId: string): Promise<SessionView[]> => {
    const now = deps.clock.now();
    const sessions = await deps.sessions.listForUser(userId);
    return sessions
      .filter((s) => isSessionLive(s, now))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((s) => ({
        id: s.id,
        createdAt: s.createdAt,
        lastUsedAt: s.lastUsedAt,
        expiresAt: sessionExpiresAt(s).toISOString(),
        current: s.id === currentSessionId,
        ...(s.userAgent === undefined ? {} : { userAgent: s.userAgent }),
        ...(s.ip === undefined ? {} : { ip: s.ip }),
      }));
  };
}

/**
 * Revokes one of the user's sessions (`DELETE /v1/me/sessions/{id}`). Someone else's session,
 * or one already dead, is NOT_FOUND.
 */
export function revokeSession(deps: SessionDeps) {
  return async (userId: string, sessionId: string, client: ClientInfo): Promise<void> => {
    const now = deps.clock.now();
    const revoked = await deps.sessions.revoke({
      userId,
      sessionId,
      reason: 'revoked_by_user',
      now,
      event: auditEvent(deps.crypto, { userId, type: 'session.revoked', now, client, sessionId }),
    });
    if (!revoked) throw new NotFoundError('No such session.');
  };
}

/**
 * Signs out: ends the caller's session, or every session of the user. Their access tokens are
 * refused within 30 s: each revocation goes onto the revocation list the authorizer reads.
 */
export function signOut(deps: SessionDeps) {
  return async (
    input: { userId: string; sessionId: string; allSessions: boolean },
    client: ClientInfo,
  ): Promise<void> => {
    const now = deps.clock.now();
    const targets = input.allSessions
      ? (await deps.sessions.listForUser(input.userId)).filter((s) => isSessionLive(s, now)).map((s) => s.id)
      : [input.sessionId];
    for (const sessionId of targets) {
      await deps.sessions.revoke({
        userId: input.userId,
        sessionId,
        reason: input.allSessions ? 'logout_all' : 'logout',
        now,
        event: auditEvent(deps.crypto, {
          userId: input.userId,
          type: 'session.signed_out',
          now,
          client,
          sessionId,
          detail: { allSessions: input.allSessions },
        }),
      });
    }
  };
}
