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
   * session is live at `now`; answers the session as it is after the write.
   */
  rotate(input: {
    userId: string;
    sessionId: string;
    expectedHash: string;
    nextHash: string;
    now: Date;
    idleExpiresAt: Date;
    client: { ip?: string; userAgent?: string };
  }): Promise<RotationResult>;
  /**
   * Records a re-authentication on a live session of this user: `authTime` becomes `now` and the
   * refresh token is rotated to `nextHash` (the one the client held becomes the previous token),
   * with `event`, in one transaction. False if the session is not live.
   */
  reauthenticate(input: {
    userId: string;
    sessionId: string;
    nextHash: string;
    now: Date;
    event: AuditEvent;
  }): Promise<boolean>;
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
