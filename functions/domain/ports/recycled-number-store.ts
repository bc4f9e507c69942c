import type { AuditEvent, IdentityRecord, SessionRecord, UserRecord } from '../model';
import type { CodeToConsume } from './phone-account-store';

/** A proven code to a dormant account, waiting for one more proof. */
export interface ReverifyChallenge {
  userId: string;
  phone: string;
}

/** What tells a recycled number, and what a new holder of the number may do. */
export interface RecycledNumberStore {
  /** When the user last signed in, as recorded by every session start (undefined if never recorded). */
  lastSignIn(userId: string): Promise<string | undefined>;
  /** Whether the user has at least one bank link. */
  hasBankLinks(userId: string): Promise<boolean>;
  /**
   * Consumes the code and stores a challenge (only its hash) for the account, in one transaction.
   * `code_gone` when the code was used meanwhile.
   */
  holdForReverify(
    input: CodeToConsume & { challengeHash: string; userId: string; expiresAt: Date; event: AuditEvent },
  ): Promise<'held' | 'code_gone'>;
  /** The live challenge with this hash, or undefined. */
  findChallenge(challengeHash: string, now: Date): Promise<ReverifyChallenge | undefined>;
  /** Deletes the challenge if it is still live: it works once. False when it was not. */
  consumeChallenge(input: { challengeHash: string; userId: string; now: Date }): Promise<boolean>;
  /**
   * The new holder of the number starts a new account that takes the number over, in one
   * transaction: the challenge consumed, the phone identity moved to the new user (only if the old
   * one still holds it), the old account's phone, phone guard and count let go, the new user, its
   * guard and first session written. `gone` when the challenge or the identity changed meanwhile.
   */
  takeOver(input: {
    challengeHash: string;
    now: Date;
    previousUserId: string;
    user: UserRecord;
    identity: IdentityRecord;
    session: SessionRecord;
    event: AuditEvent;
    previousEvent: AuditEvent;
  }): Promise<'taken_over' | 'gone'>;
}
