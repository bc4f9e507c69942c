import type {
  AuditEvent,
  IdentityRecord,
  IdentityType,
  LoginFailureRecord,
  SessionRecord,
  SessionRevokeReason,
  UserRecord,
} from './model';
import type { PhoneSendHistory, SmsCodeRecord } from './sms-code-policy';

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

/** Sends text messages. Throws an AppError `SMS_UNAVAILABLE` when the provider fails. */
export interface SmsSender {
  send(input: { phone: string; message: string }): Promise<void>;
}

/** Makes one-time codes and their keyed hashes (HMAC with a secret pepper). */
export interface OtpCrypto {
  /** Six digits from a CSPRNG. */
  newCode(): string;
  /** Keyed hash of a code, bound to the phone it was sent to. */
  hashCode(phone: string, code: string): Promise<string>;
}

export type SendReservation = { outcome: 'reserved' } | { outcome: 'limited'; retryAfterSeconds: number };

/** SMS codes and the counters that limit sending them. */
export interface SmsCodeStore {
  /** The phone's recent sends (consistent read). */
  loadSendHistory(phone: string): Promise<PhoneSendHistory | undefined>;
  /**
   * Claims one send in one transaction: the phone's history (only if unchanged since it was
   * read), the per-IP and daily counters (only under their limits), and the new code, which
   * replaces any previous one. `limited` says for how long the caller must wait.
   */
  reserveSend(input: {
    phone: string;
    ip: string;
    now: Date;
    history: PhoneSendHistory | undefined;
    sends: string[];
    code: SmsCodeRecord;
    perIpPerHour: number;
    dailyCap: number;
  }): Promise<SendReservation>;
  /** Undoes a reservation whose SMS could not be sent: no usable code, no counted send. */
  releaseSend(input: {
    phone: string;
    ip: string;
    now: Date;
    codeId: string;
    history: PhoneSendHistory | undefined;
  }): Promise<void>;
  /** The live code for a phone and the phone's identity, in one round trip. */
  loadCodeAndIdentity(
    phone: string,
  ): Promise<{ code: SmsCodeRecord | undefined; identity: IdentityRecord | undefined }>;
  /** Counts one wrong try on this exact code; returns the attempts so far, or undefined if it is gone. */
  countWrongAttempt(phone: string, codeId: string, maxAttempts: number): Promise<number | undefined>;
}

/** Outcomes of writes that consume a code. */
export type ConsumeResult = 'ok' | 'code_gone' | 'identity_taken';

/** Accounts reached by phone, and identity changes that must be atomic. */
export interface IdentityStore {
  /** Consumes the code and starts a session for an existing user. */
  signInWithCode(input: {
    phone: string;
    codeId: string;
    maxAttempts: number;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<ConsumeResult>;
  /** Consumes the code and creates the user, the phone identity and a session. */
  createWithCode(input: {
    phone: string;
    codeId: string;
    maxAttempts: number;
    user: UserRecord;
    identity: IdentityRecord;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<ConsumeResult>;
  /** Consumes the code and links the phone to an existing user, replacing their old phone. */
  linkPhoneWithCode(input: {
    phone: string;
    codeId: string;
    maxAttempts: number;
    identity: IdentityRecord;
    replaced: IdentityRecord | undefined;
    event: AuditEvent;
  }): Promise<ConsumeResult>;
  /** The user with identities, password hashes included (for the password routes only). */
  getUserWithCredentials(
    userId: string,
  ): Promise<{ user: UserRecord; identities: IdentityRecord[] } | undefined>;
  /** Adds a username + password identity; `identity_taken` if the username exists. */
  addPasswordIdentity(input: { identity: IdentityRecord; event: AuditEvent }): Promise<ConsumeResult>;
  /** Replaces the password hash of the user's username identity. */
  changePasswordHash(input: {
    identity: IdentityRecord;
    passwordHash: string;
    event: AuditEvent;
  }): Promise<void>;
  /** Removes an identity unless it is the user's last; `last` or `gone` otherwise. */
  unlinkIdentity(input: { identity: IdentityRecord; event: AuditEvent }): Promise<'ok' | 'last' | 'gone'>;
  /** Applies profile changes. */
  updateProfile(input: {
    userId: string;
    changes: {
      displayName?: string;
      email?: string | null;
      notifications?: { sms?: boolean; email?: boolean };
      /** The alert-topic subscription handle; null removes it. */
      emailSubscription?: string | null;
    };
    event: AuditEvent;
  }): Promise<void>;
}

/** A one-time authorization code, as stored: only the hash of the code. */
export interface AuthorizationCodeRecord {
  codeHash: string;
  userId: string;
  /** The PKCE S256 challenge the code is bound to. */
  codeChallenge: string;
  createdAt: string;
  /** The code works until this moment (60 s). */
  validUntil: string;
  isNewUser: boolean;
  /** Set by the one redemption; a second one finds it. */
  usedAt?: string;
  /** The session the redemption created, revoked if the code is replayed. */
  sessionId?: string;
}

/** One-time authorization codes (third-party sign-in). */
export interface AuthorizationCodeStore {
  save(record: AuthorizationCodeRecord): Promise<void>;
  /** The code by its hash (consistent read), used or not. */
  find(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /**
   * Redeems the code in one transaction with the session it creates: only if unused, still
   * valid at `now` and bound to `codeChallenge`. False if any of that no longer holds.
   */
  redeem(input: {
    codeHash: string;
    codeChallenge: string;
    now: Date;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<boolean>;
}

/** Third-party identities: find, create with a user, link. */
export interface SocialIdentityStore {
  findIdentity(type: IdentityType, subject: string): Promise<IdentityRecord | undefined>;
  /** Creates the user and the identity together; `identity_taken` if the subject exists. */
  createUserWithIdentity(input: {
    user: UserRecord;
    identity: IdentityRecord;
    event: AuditEvent;
  }): Promise<ConsumeResult>;
  /** Links an identity to its user, replacing their previous one of the same type. */
  linkIdentity(input: {
    identity: IdentityRecord;
    replaced: IdentityRecord | undefined;
    event: AuditEvent;
  }): Promise<ConsumeResult>;
}
