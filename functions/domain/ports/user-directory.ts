import type { IdentityRecord, UserRecord } from '../model';

/** A user and their ways in, as the directory shows them: never a password hash. */
export interface UserWithIdentities {
  user: UserRecord;
  /** Oldest first, without `passwordHash`. */
  identities: IdentityRecord[];
}

/** A stored session as a new-device check sees it: when it started, and from which client. */
export interface DeviceSeen {
  sessionId: string;
  startedAt: string;
  userAgent?: string;
}

/** Users and their identities, for reading. */
export interface UserDirectory {
  /** The user with identities, or undefined. */
  getUser(userId: string): Promise<UserWithIdentities | undefined>;
  /**
   * The user with identities and the devices of their stored sessions (live, ended or revoked),
   * read together: what a sign-in's answer needs (the user) and what tells a new device, for
   * the cost of the one read the answer needs anyway.
   */
  getUserForSignIn(userId: string): Promise<(UserWithIdentities & { devices: DeviceSeen[] }) | undefined>;
}
