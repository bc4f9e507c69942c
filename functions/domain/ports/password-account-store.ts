import type { AuditEvent, IdentityRecord, LoginFailureRecord, SessionRecord, UserRecord } from '../model';

/** The lockout policy and the time of an attempt, as a reservation needs them. */
export interface AttemptInput {
  now: Date;
  windowSeconds: number;
  lockSeconds: number;
  maxFailures: number;
}

/** Outcome of reserving one password attempt. */
export type Reservation =
  /** Counted against the allowance; `identity` (with its hash) unless the username has no account. */
  | { outcome: 'counted'; record: LoginFailureRecord; identity: IdentityRecord | undefined }
  /** The allowance is spent and the lock runs: nothing was counted. */
  | { outcome: 'already_locked'; record: LoginFailureRecord };

/**
 * Password accounts: creating one, signing in under the lockout counter, and the password
 * credential of an existing account.
 */
export interface PasswordAccountStore {
  /**
   * Creates user, username identity, first session and event atomically.
   * `username_taken` if the username exists.
   */
  createAccount(input: {
    user: UserRecord;
    identity: IdentityRecord;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<'created' | 'username_taken'>;
  /**
   * Reserves one attempt for a username against the allowance, atomically, and returns its
   * identity with the password hash: sign-in calls it *before* verifying the password, so parallel
   * guesses can check at most the remaining allowance. A live window is incremented up to
   * `maxFailures` and never past it; a missing, expired or spent one starts over at 1. Usually one
   * write (the counter of a known username lives on its identity item); an open window costs one
   * more. An unknown username is counted and locked the same way on a counter of its own: one call
   * more here, where a known username's failure writes an audit event after the verify.
   */
  reserveAttempt(username: string, input: AttemptInput): Promise<Reservation>;
  /**
   * Starts a session after a good password and clears the failure counter, atomically and only if
   * no lock was set since this attempt's reservation: the counter is absent, below `maxFailures`,
   * or still at `reserved` (the count this attempt's own reservation wrote). `locked` otherwise,
   * and then nothing is written.
   */
  completeLogin(input: {
    username: string;
    session: SessionRecord;
    event: AuditEvent;
    /** `record.failures` as this attempt's {@link PasswordAccountStore.reserveAttempt} returned it. */
    reserved: number;
    maxFailures: number;
  }): Promise<'completed' | 'locked'>;
  /**
   * Clears the failure counter after a right password that started no session (re-authentication),
   * under the same condition as {@link PasswordAccountStore.completeLogin}: only if no lock was set
   * since this attempt's reservation. `locked` otherwise, and then nothing is written.
   */
  clearFailures(input: {
    username: string;
    reserved: number;
    maxFailures: number;
  }): Promise<'cleared' | 'locked'>;
  /**
   * Adds a username + password identity to an existing user (one more way in).
   * `username_taken` if the username exists, `type_taken` if the user already has a username
   * (one added by a racing request).
   */
  addPassword(input: {
    identity: IdentityRecord;
    event: AuditEvent;
  }): Promise<'added' | 'username_taken' | 'type_taken'>;
  /** Replaces the password hash of the user's username identity. */
  changePassword(input: { identity: IdentityRecord; passwordHash: string; event: AuditEvent }): Promise<void>;
}
