import type { AuditEvent, IdentityRecord, UserRecord } from '../model';

/** Deleting accounts: the one write that ends an account, and its tombstone. */
export interface AccountDeletionStore {
  /**
   * In one transaction: the profile and every identity (with its type guard) deleted, so the
   * username, phone and provider subjects are free at once; a tombstone and `event` written.
   * `gone` if the profile no longer exists (deleted by a racing request).
   */
  deleteAccount(input: {
    user: UserRecord;
    identities: IdentityRecord[];
    deletedAt: Date;
    event: AuditEvent;
  }): Promise<'deleted' | 'gone'>;
  /** Whether the account was deleted (its tombstone exists). */
  isDeleted(userId: string): Promise<boolean>;
  /**
   * One page, oldest first, of the user's stored audit events not yet pseudonymised; `next`
   * (opaque) resumes after it, absent on the last page.
   */
  eventsToPseudonymise(
    userId: string,
    page: { limit: number; after?: string },
  ): Promise<{ events: AuditEvent[]; next?: string }>;
  /** Replaces a stored event by its pseudonymised form; an event no longer stored stays gone. */
  replaceEvent(event: AuditEvent): Promise<void>;
}
