import type { AuditEvent, IdentityRecord, IdentityType, ProviderToken, UserRecord } from '../model';

/** Third-party identities: find, create with a user, link. */
export interface SocialIdentityStore {
  /** An identity by its natural key (consistent read). */
  findIdentity(type: IdentityType, subject: string): Promise<IdentityRecord | undefined>;
  /** Creates the user and the identity together; `identity_taken` if the subject exists. */
  createUserWithIdentity(input: {
    user: UserRecord;
    identity: IdentityRecord;
    event: AuditEvent;
  }): Promise<'created' | 'identity_taken'>;
  /**
   * Links an identity to its user, replacing their previous one of the same type;
   * `identity_taken` if the subject exists, `type_taken` if (without `replaced`) the user already
   * has one of that type, e.g. linked by a racing request.
   */
  linkIdentity(input: {
    identity: IdentityRecord;
    replaced: IdentityRecord | undefined;
    event: AuditEvent;
  }): Promise<'linked' | 'identity_taken' | 'type_taken'>;
  /** Keeps a provider's new token on an identity that is still its user's (else nothing). */
  saveProviderToken(identity: IdentityRecord, token: ProviderToken): Promise<void>;
}
