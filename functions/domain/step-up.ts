import type { Clock } from './clock';
import { InvalidTokenError, ReauthRequiredError } from './errors';
import type { SessionStore } from './ports/session-store';
import { isSessionLive } from './session-policy';

/** How recent an authentication a sensitive operation needs. */
export interface StepUpPolicy {
  /** The oldest `auth_time` a sensitive operation accepts, in seconds before now (RFC 9470 `max_age`). */
  maxAgeSeconds: number;
}

/** The caller of a sensitive operation, as the authorizer verified them. */
export interface SensitiveCaller {
  userId: string;
  sessionId: string;
  /** The access token's `auth_time`, in epoch seconds; absent from tokens older than the claim. */
  authTime?: number;
}

/**
 * The gate in front of every sensitive operation (linking or unlinking a way in, setting or
 * changing the password, changing the phone or email, deleting the account). An access token
 * alone is not enough, because it outlives a sign-out by up to its lifetime:
 *
 * - *liveness*: the session is read from the table; a revoked, signed-out, expired or missing
 *   session (or one of another user) is `INVALID_TOKEN` at once, whatever the token's `exp`;
 * - *step-up* (RFC 9470): the token's `auth_time` must be at most `maxAgeSeconds` old, else
 *   `REAUTH_REQUIRED`; the app proves a way in again with `POST /v1/auth/reauth`.
 *
 * The `auth_time` checked is the token's own, not the session's: a fresh re-authentication on
 * the session does not make an older token of the same session fresh.
 *
 * @example
 * await requireRecentAuthentication({ sessions, clock, policy: { maxAgeSeconds: 600 } })(caller);
 */
export function requireRecentAuthentication(deps: {
  sessions: Pick<SessionStore, 'get'>;
  clock: Clock;
  policy: StepUpPolicy;
}) {
  return async (caller: SensitiveCaller): Promise<void> => {
    const session = await deps.sessions.get(caller.sessionId);
    const now = deps.clock.now();
    if (session === undefined || session.userId !== caller.userId || !isSessionLive(session, now)) {
      throw new InvalidTokenError('The session has ended. Sign in again.');
    }
    const ageSeconds = now.getTime() / 1000 - (caller.authTime ?? Number.NEGATIVE_INFINITY);
    if (ageSeconds > deps.policy.maxAgeSeconds) throw new ReauthRequiredError(deps.policy.maxAgeSeconds);
  };
}
