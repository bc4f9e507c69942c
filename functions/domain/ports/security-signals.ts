/**
 * Security events an operator watches, reported by the use cases that alone can tell them apart
 * (a lock that was just set, not a refused attempt while locked; a replayed refresh token, not
 * any bad grant). An adapter counts them as metrics; the domain only says that they happened.
 */
export interface SecuritySignals {
  /** A username's password sign-in became locked (known or unknown username alike). */
  lockedOut(): void;
  /** A password sign-in failed for a username with no account (credential stuffing shows here). */
  unknownUsername(): void;
  /** A rotated refresh token was presented after the grace window: its session was revoked. */
  refreshTokenReused(): void;
}
