import type { Clock } from './clock';
import { InvalidGrantError } from './errors';
import type { ClientInfo, RefreshGrant, SessionRecord } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { SecuritySignals } from './ports/security-signals';
import type { SessionStore } from './ports/session-store';
import type { TokenCrypto } from './ports/token-crypto';
import { auditEvent, authTimeOf, refreshGrantFor } from './session-issuer';
import {
  familyToken,
  graceContext,
  judgeRefusedRefresh,
  parseRefreshToken,
  type RefreshTokenParts,
  type SessionPolicy,
  slideIdleExpiry,
} from './session-policy';

export interface RefreshDeps {
  clock: Clock;
  crypto: TokenCrypto;
  sessions: SessionStore;
  signer: AccessTokenSigner;
  sessionPolicy: SessionPolicy;
  /** Told when a replayed refresh token revokes a session, for the operators' metrics. */
  signals?: SecuritySignals;
}

/**
 * Exchanges a refresh token for a new access token and the next refresh token of its family
 * (RFC 9700 §4.14.2), in ONE DynamoDB call in the common case: a conditional update that rotates
 * the current token and, when its condition fails, returns the session as it was, from which the
 * refusal is judged ({@link judgeRefusedRefresh}):
 *
 * - the token just rotated, within the grace window (a lost response, two requests racing): the
 *   family's current head is answered again, unsealed from the grace box with the presented
 *   secret — every such answer is the same head, so the family never forks and nothing is written;
 * - any earlier member of the family otherwise, however many rotations ago: the session is
 *   revoked, because someone other than the client holds it;
 * - a signed-out, revoked or expired session, or a token we never issued: refused, nothing else.
 *
 * The new access token keeps the session's `auth_time`: refreshing proves nothing about the user.
 * The answer has no user (reading it would double the cost; `GET /v1/me` has it).
 *
 * @example
 * const grant = await refreshSession(deps)(refreshToken, client);
 */
export function refreshSession(deps: RefreshDeps) {
  return async (refreshToken: string, client: ClientInfo): Promise<RefreshGrant> => {
    const parts = parseRefreshToken(refreshToken);
    if (parts === undefined) throw new InvalidGrantError();
    const now = deps.clock.now();
    const nextSecret = deps.crypto.newSecret();
    const nextGeneration = (parts.generation ?? 0) + 1;

    const result = await deps.sessions.rotate({
      userId: parts.userId,
      sessionId: parts.sessionId,
      expectedHash: deps.crypto.hashSecret(parts.secret),
      nextHash: deps.crypto.hashSecret(nextSecret),
      graceBox: deps.crypto.seal(parts.secret, nextSecret, graceContext(parts.sessionId, nextGeneration)),
      familyKey: deps.crypto.newSecret(),
      now,
      idleExpiresAt: slideIdleExpiry(now, deps.sessionPolicy),
      client,
    });
    if (result.outcome === 'rotated') return grantOf(deps, parts, result.session, nextSecret, now);

    const verdict = judgeRefusedRefresh(result.session, parts, now, deps.sessionPolicy, deps.crypto);
    if (verdict === 'grace' && result.session !== undefined) {
      const head = headOf(deps.crypto, result.session, parts.secret);
      if (head !== undefined) return grantOf(deps, parts, result.session, head, now);
    }
    if (verdict === 'reuse' && result.session !== undefined)
      await revokeFamily(deps, result.session, now, client);
    throw new InvalidGrantError();
  };
}

/** The current head's secret, unsealed with the just-rotated token's secret (absent after a reauth). */
function headOf(crypto: TokenCrypto, session: SessionRecord, previousSecret: string): string | undefined {
  if (session.graceBox === undefined) return undefined;
  return crypto.open(previousSecret, session.graceBox, graceContext(session.id, session.generation ?? 0));
}

async function grantOf(
  deps: RefreshDeps,
  parts: RefreshTokenParts,
  session: SessionRecord,
  secret: string,
  now: Date,
): Promise<RefreshGrant> {
  const family = {
    userId: parts.userId,
    sessionId: parts.sessionId,
    generation: session.generation ?? 0,
    familyKey: session.familyKey ?? '',
  };
  return refreshGrantFor(deps.signer, {
    userId: parts.userId,
    sessionId: parts.sessionId,
    refreshToken: familyToken(deps.crypto, family, secret),
    now,
    authTime: authTimeOf(session),
  });
}

async function revokeFamily(deps: RefreshDeps, session: SessionRecord, now: Date, client: ClientInfo) {
  deps.signals?.refreshTokenReused();
  await deps.sessions.revoke({
    userId: session.userId,
    sessionId: session.id,
    reason: 'refresh_token_reuse',
    now,
    event: auditEvent(deps.crypto, {
      userId: session.userId,
      type: 'session.reuse_detected',
      now,
      client,
      sessionId: session.id,
    }),
  });
}
