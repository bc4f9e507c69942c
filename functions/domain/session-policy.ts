import { addSeconds } from './clock';
import type { SessionRecord } from './model';
import type { TokenCrypto } from './ports/token-crypto';

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

/** What a refused refresh token was, judged from the session as the refused write saw it. */
export type RefusedRefreshVerdict =
  /** No such session (or another user's), or a token we never issued for it: refuse. */
  | 'invalid'
  /** The session was signed out or revoked: refuse. */
  | 'revoked'
  /** The session is past its idle or absolute expiry: refuse. */
  | 'expired'
  /**
   * The token rotated less than the grace window ago (a lost response, two requests racing):
   * answer the family's current head again, so the client goes on from one head.
   */
  | 'grace'
  /** An earlier member of the family came back: someone else holds it; revoke (RFC 9700 §4.14.2). */
  | 'reuse';

/**
 * Judges a refresh token whose rotation was refused, from the session as it was. A token of the
 * family (its tag checks out under the family key) from an earlier generation is reuse however
 * many rotations ago it was issued, except the one just rotated, within the grace window. A token
 * whose tag does not check out is not ours, and revokes nothing: forging one must not sign the
 * user out.
 *
 * @example
 * judgeRefusedRefresh(session, parts, now, policy, crypto) // 'reuse'
 */
export function judgeRefusedRefresh(
  session: SessionRecord | undefined,
  presented: RefreshTokenParts,
  now: Date,
  policy: SessionPolicy,
  crypto: Pick<TokenCrypto, 'hashSecret' | 'sameHash' | 'tag'>,
): RefusedRefreshVerdict {
  if (session === undefined) return 'invalid';
  if (session.revokedAt !== undefined) return 'revoked';
  if (sessionExpiresAt(session).getTime() <= now.getTime()) return 'expired';
  const hash = crypto.hashSecret(presented.secret);
  const isPrevious =
    session.previousRefreshHash !== undefined && crypto.sameHash(session.previousRefreshHash, hash);
  const rotatedAt = session.rotatedAt === undefined ? 0 : Date.parse(session.rotatedAt);
  const withinGrace = now.getTime() - rotatedAt < policy.reuseGraceSeconds * 1000;
  if (presented.generation === undefined) {
    // A token from before families: only the previous one can be recognised.
    if (!isPrevious) return 'invalid';
    return withinGrace ? 'grace' : 'reuse';
  }
  const head = session.generation ?? 0;
  if (session.familyKey === undefined || presented.generation >= head) return 'invalid';
  if (!crypto.sameHash(familyTag(crypto, session.familyKey, presented, hash), presented.tag ?? '')) {
    return 'invalid';
  }
  return isPrevious && presented.generation === head - 1 && withinGrace ? 'grace' : 'reuse';
}

/** The tag that proves a token of generation `generation` was issued for this session. */
export function familyTag(
  crypto: Pick<TokenCrypto, 'tag'>,
  familyKey: string,
  token: Pick<RefreshTokenParts, 'sessionId'> & { generation?: number | undefined },
  secretHash: string,
): string {
  return crypto.tag(familyKey, `${token.sessionId}.${token.generation ?? 0}.${secretHash}`);
}

/**
 * A refresh token: `<userId>.<sessionId>.<generation>.<tag>.<secret>`; opaque to clients. The
 * generation counts rotations of the session's family; the tag (keyed by the session's family
 * key) proves we issued it, so an old generation is recognised without storing every hash.
 * Tokens issued before families were `<userId>.<sessionId>.<secret>`.
 */
export interface RefreshTokenParts {
  userId: string;
  sessionId: string;
  generation?: number;
  tag?: string;
  secret: string;
}

const PART = /^[A-Za-z0-9_-]{1,64}$/;
const GENERATION = /^(0|[1-9][0-9]{0,8})$/;

/** Builds the opaque refresh token handed to the client. */
export function formatRefreshToken(parts: RefreshTokenParts): string {
  if (parts.generation === undefined || parts.tag === undefined) {
    return `${parts.userId}.${parts.sessionId}.${parts.secret}`;
  }
  return `${parts.userId}.${parts.sessionId}.${parts.generation}.${parts.tag}.${parts.secret}`;
}

/** Splits a refresh token, or undefined when it is not one of ours. */
export function parseRefreshToken(token: string): RefreshTokenParts | undefined {
  const parts = token.split('.');
  if (parts.length === 3) {
    const [userId, sessionId, secret] = parts as [string, string, string];
    if (!PART.test(userId) || !PART.test(sessionId) || !PART.test(secret)) return undefined;
    return { userId, sessionId, secret };
  }
  if (parts.length !== 5) return undefined;
  const [userId, sessionId, generation, tag, secret] = parts as [string, string, string, string, string];
  if (![userId, sessionId, tag, secret].every((p) => PART.test(p)) || !GENERATION.test(generation))
    return undefined;
  return { userId, sessionId, generation: Number(generation), tag, secret };
}

/**
 * The refresh token of generation `generation` of a session's family, tagged under its key.
 *
 * @example
 * familyToken(crypto, { userId, sessionId, generation: 3, familyKey }, secret)
 */
export function familyToken(
  crypto: Pick<TokenCrypto, 'tag' | 'hashSecret'>,
  family: { userId: string; sessionId: string; generation: number; familyKey: string },
  secret: string,
): string {
  const tag = familyTag(crypto, family.familyKey, family, crypto.hashSecret(secret));
  return formatRefreshToken({ ...family, tag, secret });
}

/** What the grace box of a rotation is bound to: the session and the generation it hides. */
export const graceContext = (sessionId: string, generation: number) => `${sessionId}.${generation}`;
