import type { IdentityRecord, UserRecord } from '../model';

/** A user and their ways in, as the directory shows them: never a password hash. */
export interface UserWithIdentities {
  user: UserRecord;
  /** Oldest first, without `passwordHash`. */
  identities: IdentityRecord[];
}

/** Users and their identities, for reading. */
export interface UserDirectory {
  /** The user with identities, or undefined. */
  getUser(userId: string): Promise<UserWithIdentities | undefined>;
}
