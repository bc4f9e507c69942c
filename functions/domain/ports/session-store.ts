import type { AuditEvent, SessionRecord, SessionRevokeReason } from '../model';

/** Outcome of one rotation attempt. */
export type RotationResult =
  | { outcome: 'rotated'; session: SessionRecord }
  /** The condition failed; here is the user's session as it is now (absent if none). */
  | { outcome: 'rejected'; session: SessionRecord | undefined };

/** Storage for refresh-token sessions. */
export interface SessionStore {
  /**
   * Rotates the refresh token in one conditional write, only if `expectedHash` is current and the
   * session is live at `now`: the generation goes up by one, `graceBox` is stored, and a session
   * without a family key gets `familyKey`. Answers the session as it is after the write, or as it
   * was when the condition failed.
   */
  rotate(input: {
    userId: string;
    sessionId: string;
    expectedHash: string;
    nextHash: string;
    /** The next secret, sealed under the presented one (see `SessionRecord.graceBox`). */
    graceBox: string;
    /** The family key for a session that has none yet (one from before families). */
    familyKey: string;
    now: Date;
    idleExpiresAt: Date;
    client: { ip?: string; userAgent?: string };
  }): Promise<RotationResult>;
  /**
   * Records a re-authentication on a live session of this user: `authTime` becomes `now` and the
   * refresh token moves to the next generation with `nextHash` (the one the client held becomes
   * the previous token, without a grace box), then `event` is written. Answers the session after
   * the write, or undefined if it is not live (nothing is written then).
   */
  reauthenticate(input: {
    userId: string;
    sessionId: string;
    nextHash: string;
    /** The family key for a session that has none yet. */
    familyKey: string;
    now: Date;
    event: AuditEvent;
  }): Promise<SessionRecord | undefined>;
  /** A session by id, read consistently (absent if there is none). */
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** Revokes a live session of this user; false if there is none. */
  revoke(input: {
    userId: string;
    sessionId: string;
    reason: SessionRevokeReason;
    now: Date;
    event: AuditEvent;
  }): Promise<boolean>;
  /** The user's sessions, including dead ones (callers filter). */
  listForUser(userId: string): Promise<SessionRecord[]>;
}
