/** What one account may have mailed to the addresses it gives (confirmations, reset links). */
export interface MailLimits {
  perHour: number;
  perDay: number;
}

/** The answer of a brake: go ahead, or wait this long. */
export type MailReservation = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A mail-bombing brake per account: an address given to `PATCH /v1/me` is mailed whatever it is,
 * so how often one account can cause a mail is counted atomically, like the SMS limits.
 */
export interface MailBrake {
  /** Counts one mail for `userId` at `now` if both windows are under their limits. */
  reserve(input: { userId: string; now: Date; limits: MailLimits }): Promise<MailReservation>;
  /**
   * Counts one mail request from a client IP in its clock hour if under `perHour`: a brake on
   * requests that name someone else's account (a reset link by username), which are answered
   * the same whether or not they mail anyone.
   */
  reserveFromClient(input: { ip: string; now: Date; perHour: number }): Promise<MailReservation>;
}
