import type { AuditEvent, IdentityRecord } from '../model';

/** Removing a way into an account, which keeps `identityCount` so the last one never goes. */
export interface IdentityStore {
  /**
   * Removes an identity of its user unless it is their last. `last` if it is; `gone` if it no
   * longer belongs to them.
   */
  unlink(input: {
    identity: IdentityRecord;
    event: AuditEvent;
    /** The provider ended it (Apple's `consent-revoked`): remove it even if it is the last. */
    evenLast?: boolean;
  }): Promise<'unlinked' | 'last' | 'gone'>;
}
