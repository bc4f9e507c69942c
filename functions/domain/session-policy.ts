import { addSeconds } from './clock';
import type { SessionRecord } from './model';

/** How long refresh-token sessions live. */
export interface SessionPolicy {
  /** A session unused for this long dies; every refresh slides it forward. */
  idleSeconds: number;
  /** No session outlives this, however active. */
  absoluteSeconds: number;
  /**
   * A replay of the token rotated less than this long ago is refused but does not revoke the
   * session: it is two requests racing, or a client retrying after a lost response.
   */
  reuseGraceSeconds: number;
}

/** The moment a session stops working: the earlier of its idle and absolute expiry. */
export function sessionExpiresAt(session: Pick<SessionRecord, 'idleExpiresAt' | 'absoluteExpiresAt'>): Date {
  const idle = Date.parse(session.idleExpiresAt);
  const absolute = Date.parse(session.absoluteExpiresAt);
  return new Date(Math.min(idle, absolute));
}

/** Whether a session can still be refreshed at `now`. */
export function isSessionLive(session: SessionRecord, now: Date): boolean {
  return session.revokedAt === undefined && sessionExpiresAt(session).getTime() > now.getTime();
}

/** Idle expiry after a use at `now`. */
export function slideIdleExpiry(now: Date, policy: SessionPolicy): Date {
  return addSeconds(now, policy.idleSeconds);
}

/** What a refused refresh token was. */
export type RefusedRefreshVerdict =
  /** No such session, a dead one, or a token we never issued for it. */
  | 'invalid'
  /** The token rotated moments ago: refuse, keep the session. */
  | 'replay_within_grace'
  /** An old token came back: someone else holds it; revoke the session (RFC 9700 §4.14.2). */
  | 'reuse_detected';

/**
 * Judges a refresh token whose rotation was refused, from the session as it was.
 *
 * @example
 * judgeRefusedRefresh(session, hash, now, policy, sameHash) // 'reuse_detected'
 */
export function judgeRefusedRefresh(
  session: SessionRecord | undefined,
  presentedHash: string,
  now: Date,
  policy: SessionPolicy,
  sameHash: (a: string, b: string) => boolean,
): RefusedRefreshVerdict {
  if (session === undefined || !isSessionLive(session, now)) return 'invalid';
  if (session.previousRefreshHash === undefined || !sameHash(session.previousRefreshHash, presentedHash)) {
    return 'invalid';
  }
  const rotatedAt = session.rotatedAt === undefined ? 0 : Date.parse(session.rotatedAt);
  return now.getTime() - rotatedAt < policy.reuseGraceSeconds * 1000
    ? 'replay_within_grace'
    : 'reuse_detected';
}

/** A refresh token: `<userId>.<sessionId>.<secret>`. Opaque to clients. */
export interface RefreshTokenParts {
  userId: string;
  sessionId: string;
  secret: string;
}

const PART = /^[A-Za-z0-9_-]{1,64}$/;

/** Builds the opaque refresh token handed to the client. */
export function formatRefreshToken(parts: RefreshTokenParts): string {
  return `${parts.userId}.${parts.sessionId}.${parts.secret}`;
}

/** Splits a refresh token, or undefined when it is not one of ours. */
export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [userId, sessionId, secret] = parts as [string, string, string];
  if (!PART.test(userId) || !PART.test(sessionId) || !PART.test(secret)) return undefined;
  return { userId, sessionId, secret };
}
