import type { AuditEvent, SessionRecord } from '../model';
import type { CodeToConsume } from './phone-account-store';

/** What a proven recovery secret (an SMS code, a mailed link) buys, in one transaction. */
export interface PasswordResetWrite {
  /** The username identity whose password is replaced; must still belong to `userId`. */
  username: string;
  userId: string;
  passwordHash: string;
  /** The session the reset signs in with, and its `login.succeeded` event. */
  session: SessionRecord;
  event: AuditEvent;
  /** The `password.reset` event. */
  resetEvent: AuditEvent;
}

/**
 * Password recovery: a new password set, the lockout counter cleared and a session started, in
 * one transaction with consuming the secret that proved the caller, so a secret works once.
 * `secret_gone` when it was used, replaced or spent meanwhile; `identity_gone` when the username
 * no longer belongs to the user.
 */
export interface RecoveryStore {
  /** Consumes the SMS code of the account's verified phone and resets the password. */
  resetWithCode(
    input: CodeToConsume & PasswordResetWrite,
  ): Promise<'reset' | 'secret_gone' | 'identity_gone'>;
  /**
   * Consumes the user's mailed reset link (only if it is still this link and live at `now`) and
   * resets the password.
   */
  resetWithLink(
    input: PasswordResetWrite & { linkHash: string; now: Date },
  ): Promise<'reset' | 'secret_gone' | 'identity_gone'>;
}
