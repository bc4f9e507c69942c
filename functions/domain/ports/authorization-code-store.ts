import type { AuditEvent, SessionRecord, SessionStarter } from '../model';

/** A one-time authorization code, as stored: only the hash of the code. */
export interface AuthorizationCodeRecord {
  codeHash: string;
  userId: string;
  /** The PKCE S256 challenge the code is bound to. */
  codeChallenge: string;
  createdAt: string;
  /** The code works until this moment (60 s). */
  validUntil: string;
  isNewUser: boolean;
  /** The provider identity the sign-in proved, for the session the code starts. */
  startedBy?: SessionStarter;
  /** Set by the one redemption; a second one finds it. */
  usedAt?: string;
  /** The session the redemption created, revoked if the code is replayed. */
  sessionId?: string;
}

/** One-time authorization codes (third-party sign-in). */
export interface AuthorizationCodeStore {
  save(record: AuthorizationCodeRecord): Promise<void>;
  /** The code by its hash (consistent read), used or not. */
  find(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /**
   * Redeems the code in one transaction with the session it creates: only if unused, still
   * valid at `now` and bound to `codeChallenge`. False if any of that no longer holds.
   */
  redeem(input: {
    codeHash: string;
    codeChallenge: string;
    now: Date;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<boolean>;
}
