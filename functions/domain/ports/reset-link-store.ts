import type { AuditEvent } from '../model';

/** A live password-reset link, as stored: hashes only. */
export interface StoredResetLink {
  linkHash: string;
  /** The hash of the address the link was mailed to. */
  emailHash: string;
}

/** Password-reset links mailed to a confirmed email (the reset itself is `RecoveryStore`). */
export interface ResetLinkStore {
  /** The user id of the account with this (normalised) username, or undefined. */
  findPasswordOwner(username: string): Promise<string | undefined>;
  /**
   * Stores the user's link (replacing any earlier one, which then stops working) with its
   * `password.reset_requested` event, in one transaction.
   */
  issue(input: {
    userId: string;
    linkHash: string;
    emailHash: string;
    expiresAt: Date;
    event: AuditEvent;
  }): Promise<void>;
  /** The user's live link at `now` (expired ones are filtered: TTL deletes late), or undefined. */
  find(userId: string, now: Date): Promise<StoredResetLink | undefined>;
}
