import type { AuditEvent, IdentityRecord, LoginFailureRecord, SessionRecord, UserRecord } from '../model';

/** What password sign-in reads in one round trip. */
export interface LoginState {
  /** The username's identity, password hash included. */
  identity: IdentityRecord | undefined;
  /** The failure counter as stored; past its `expiresAt` it counts as absent (`lockStatus`). */
  failures: LoginFailureRecord | undefined;
}

/** Outcome of counting one failed password. */
export type FailureCount =
  | { outcome: 'counted'; record: LoginFailureRecord }
  /** Someone else's failure locked it first: this one is not counted. */
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
  /** Reads the username identity and its failure counter together. */
  loadLoginState(username: string): Promise<LoginState>;
  /**
   * Counts one attempt against the allowance atomically: a live window is incremented up to
   * `maxFailures` and never past it; a missing, expired or spent one starts over at 1. Sign-in calls
   * it *before* verifying the password (a reservation), so parallel guesses can check at most the
   * remaining allowance; `already_locked` means the allowance is spent and nothing was counted.
   */
  countFailure(
    username: string,
    input: {
      now: Date;
      windowSeconds: number;
      lockSeconds: number;
      maxFailures: number;
      /** What the last read saw: a window to continue, or none. A race falls through to the other. */
      hint?: 'continue' | 'start';
    },
  ): Promise<FailureCount>;
  /** Records a failure that belongs to no account, at the same cost as an account event. */
  recordUnknownUsernameFailure(username: string, at: Date): Promise<void>;
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
    /** `record.failures` as this attempt's {@link PasswordAccountStore.countFailure} returned it. */
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
