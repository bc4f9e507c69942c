import type { Clock } from './clock';
import { InvalidGrantError } from './errors';
import { type ClientInfo, type TokenGrant, toUserView } from './model';
import type { AccessTokenSigner } from './ports/access-token-signer';
import type { SecuritySignals } from './ports/security-signals';
import type { SessionStore } from './ports/session-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { auditEvent, authTimeOf, grantFor } from './session-issuer';
import {
  formatRefreshToken,
  judgeRefusedRefresh,
  parseRefreshToken,
  type SessionPolicy,
  slideIdleExpiry,
} from './session-policy';

export interface RefreshDeps {
  clock: Clock;
  crypto: TokenCrypto;
  sessions: SessionStore;
  users: UserDirectory;
  signer: AccessTokenSigner;
  sessionPolicy: SessionPolicy;
  /** Told when a replayed refresh token revokes a session, for the operators' metrics. */
  signals?: SecuritySignals;
}

/**
 * Exchanges a refresh token for a new access token and a new refresh token, rotating it in one
 * conditional write: of any number of parallel uses of one token, exactly one succeeds. The new
 * access token keeps the session's `auth_time`: refreshing proves nothing about the user.
 * A token that was already rotated is refused; if it was rotated more than the grace period
 * ago, the whole session is revoked, because someone other than the client holds it.
 *
 * @example
 * const grant = await refreshSession(deps)(refreshToken, client);
 */
export function refreshSession(deps: RefreshDeps) {
  return async (refreshToken: string, client: ClientInfo): Promise<TokenGrant> => {
    const parts = parseRefreshToken(refreshToken);
    if (parts === undefined) throw new InvalidGrantError();
    const now = deps.clock.now();
    const presentedHash = deps.crypto.hashSecret(parts.secret);
    const nextSecret = deps.crypto.newSecret();

    const result = await deps.sessions.rotate({
      userId: parts.userId,
      sessionId: parts.sessionId,
      expectedHash: presentedHash,
      nextHash: deps.crypto.hashSecret(nextSecret),
      now,
      idleExpiresAt: slideIdleExpiry(now, deps.sessionPolicy),
      client,
    });

    if (result.outcome === 'rejected') {
      const verdict = judgeRefusedRefresh(
        result.session,
        presentedHash,
        now,
        deps.sessionPolicy,
        deps.crypto.sameHash,
      );
      if (verdict === 'reuse_detected' && result.session !== undefined) {
        deps.signals?.refreshTokenReused();
        await deps.sessions.revoke({
          userId: result.session.userId,
          sessionId: result.session.id,
          reason: 'refresh_token_reuse',
          now,
          event: auditEvent(deps.crypto, {
            userId: result.session.userId,
            type: 'session.reuse_detected',
            now,
            client,
            sessionId: result.session.id,
          }),
        });
      }
      throw new InvalidGrantError();
    }

    const found = await deps.users.getUser(parts.userId);
    if (found === undefined) throw new InvalidGrantError();
    return grantFor(deps.signer, {
      userId: parts.userId,
      sessionId: parts.sessionId,
      refreshToken: formatRefreshToken({ ...parts, secret: nextSecret }),
      user: toUserView(found.user, found.identities),
      now,
      authTime: authTimeOf(result.session),
    });
  };
}
