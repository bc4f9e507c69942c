import type {
  AuditEvent,
  IdentityRecord,
  LoginFailureRecord,
  SessionRecord,
  SessionRevokeReason,
  UserRecord,
} from './model';

/** Hashes and checks passwords (argon2id in production). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real `verify`, for unknown usernames. Always false. */
  verifyAgainstDummy(password: string): Promise<false>;
}

/** A list of passwords too common to allow. */
export interface CommonPasswordList {
  contains(password: string): Promise<boolean>;
}

/** Randomness and one-way hashing for tokens. */
export interface TokenCrypto {
  /** A new id with a readable prefix (`usr_…`, `ses_…`). */
  newId(prefix: string): string;
  /** A CSPRNG secret, base64url, of at least 256 bits. */
  newSecret(): string;
  /** One-way hash of a high-entropy secret (SHA-256, base64url). */
  hashSecret(secret: string): string;
  /** Constant-time comparison of two hashes. */
  sameHash(a: string, b: string): boolean;
}

/** Signs short-lived access tokens. */
export interface AccessTokenSigner {
  sign(input: {
    userId: string;
    sessionId: string;
    now: Date;
  }): Promise<{ token: string; expiresIn: number }>;
}

/** What password sign-in reads in one round trip. */
export interface LoginState {
  identity: IdentityRecord | undefined;
  failures: LoginFailureRecord | undefined;
}

/** Outcome of counting one failed password. */
export type FailureCount =
  | { outcome: 'counted'; record: LoginFailureRecord }
  /** Someone else's failure locked it first: this one is not counted. */
  | { outcome: 'already_locked'; record: LoginFailureRecord };

/** Storage for password accounts and their failed-login counters. */
export interface PasswordAccountStore {
  /** Creates user, username identity, first session and event atomically; UsernameTakenError if taken. */
  createAccount(input: {
    user: UserRecord;
    identity: IdentityRecord;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<void>;
  /** Reads the username identity and its failure counter together. */
  loadLoginState(username: string): Promise<LoginState>;
  /**
   * Counts one failure atomically: a live window is incremented up to `maxFailures` and never past
   * it; a missing, expired or spent one starts over at 1.
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
  /** Starts a session after a good password and clears the failure counter. */
  completeLogin(input: { username: string; session: SessionRecord; event: AuditEvent }): Promise<void>;
}

/** Outcome of one rotation attempt. */
export type RotationResult =
  | { outcome: 'rotated' }
  /** The condition failed; here is the session as it was (absent if none). */
  | { outcome: 'rejected'; session: SessionRecord | undefined };

/** Storage for sessions. */
export interface SessionStore {
  /**
   * Rotates the refresh token in one conditional write, only if `expectedHash` is current and the
   * session is live at `now`; writes `event` in the same transaction.
   */
  rotate(input: {
    userId: string;
    sessionId: string;
    expectedHash: string;
    nextHash: string;
    now: Date;
    idleExpiresAt: Date;
    client: { ip?: string; userAgent?: string };
    event: AuditEvent;
  }): Promise<RotationResult>;
  /** Revokes a live session of this user; false if there is none. */
  revoke(input: {
    userId: string;
    sessionId: string;
    reason: SessionRevokeReason;
    now: Date;
    event: AuditEvent;
  }): Promise<boolean>;
  /** The user's sessions, including dead ones (callers filter). */
  listForUser(userId: string): Promise<SessionRecord[]>;
}

/** Users and their identities, for reading. */
export interface UserDirectory {
  /** The user with identities, or undefined. */
  getUser(userId: string): Promise<{ user: UserRecord; identities: IdentityRecord[] } | undefined>;
}

/** A page of events, newest first. */
export interface EventPage {
  events: AuditEvent[];
  nextCursor?: string;
}

/** The account's audit history. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Newest first; events past their retention (TTL) are left out. */
  list(userId: string, input: { limit: number; cursor?: string; now: Date }): Promise<EventPage>;
}
