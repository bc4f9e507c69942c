/** The ways into an account. `password` is the username + password identity. */
export type IdentityType = 'password' | 'phone' | 'wechat' | 'qq' | 'apple' | 'google';

/** The third-party identity providers. */
export type SocialProvider = 'wechat' | 'qq' | 'apple' | 'google';

/** The account holder, as stored. Credentials never live here: they live on identities. */
export interface UserRecord {
  id: string;
  displayName: string;
  avatarUrl?: string;
  phone?: string;
  email?: string;
  emailConfirmed: boolean;
  notifications: { sms: boolean; email: boolean };
  createdAt: string;
  /** How many ways in the user has; kept so that unlinking the last one fails atomically. */
  identityCount?: number;
  /** The alert-topic subscription of `email`, while email alerts are on. */
  emailSubscription?: string;
}

/** One way into one account, keyed by its natural key (normalised username, E.164 phone, …). */
export interface IdentityRecord {
  type: IdentityType;
  /** The natural key: unique per type across all users. */
  subject: string;
  userId: string;
  /** What the user sees, already masked. */
  label: string;
  linkedAt: string;
  /** argon2id PHC string; only on `password` identities. */
  passwordHash?: string;
  /**
   * Apple only: the refresh token Apple issued for this user (AES-256-GCM, as Plaid access tokens
   * are; `apple:<subject>` is the associated data) and the client id it belongs to. Account
   * deletion revokes it at Apple. Never in a response or an export.
   */
  providerToken?: ProviderToken;
}

/** A provider's token kept for later revocation, encrypted. */
export interface ProviderToken {
  ciphertext: string;
  clientId: string;
}

/** A refresh-token session. The refresh token itself is never stored, only its hash. */
export interface SessionRecord {
  id: string;
  userId: string;
  refreshHash: string;
  /** The hash of the token this one replaced, kept to recognise a replay. */
  previousRefreshHash?: string;
  rotatedAt?: string;
  /**
   * The refresh-token family (RFC 9700 §4.14.2): the generation of the current token (0 at sign-in,
   * +1 per rotation), and the key that tags every token of the family, so an earlier generation
   * is recognised as ours without storing its hash. A table reader can forge only old members
   * with it (which revoke the session), never the current token. Absent on sessions from before
   * families until their first rotation.
   */
  generation?: number;
  familyKey?: string;
  /** The way in that started the session: unlinking that identity revokes the session. */
  startedBy?: SessionStarter;
  /**
   * The current token's secret, sealed under a key only the previous token's secret derives:
   * within the grace window, the client that lost a rotation's response gets the same head back.
   */
  graceBox?: string;
  createdAt: string;
  /**
   * When the user last proved a way in on this session (sign-in or `POST /v1/auth/reauth`); every
   * access token of the session carries it as `auth_time`. Sessions started before it existed
   * have none: their `createdAt` is that moment.
   */
  authTime?: string;
  lastUsedAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  revokedAt?: string;
  revokeReason?: SessionRevokeReason;
  userAgent?: string;
  ip?: string;
}

/** Which identity started a session: its type, and a hash of its subject (no PII on sessions). */
export interface SessionStarter {
  type: IdentityType;
  subjectHash: string;
}

export type SessionRevokeReason =
  | 'logout'
  | 'logout_all'
  | 'revoked_by_user'
  | 'refresh_token_reuse'
  | 'authorization_code_reuse'
  | 'identity_unlinked'
  | 'account_deleted'
  | 'provider_consent_revoked';

/** Consecutive failed password sign-ins for one username. A TTL item. */
export interface LoginFailureRecord {
  failures: number;
  windowEndsAt: string;
  lastFailureAt: string;
  /** When the item may be garbage-collected; at or past it, the record is absent. */
  expiresAt: string;
}

/** What happened to an account, for `GET /v1/me/events`. */
export type AuditEventType =
  | 'account.registered'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked'
  | 'session.refreshed'
  | 'session.reauthenticated'
  | 'session.reuse_detected'
  | 'session.signed_out'
  | 'session.revoked'
  | 'sms.code_sent'
  | 'identity.linked'
  | 'identity.unlinked'
  | 'password.set'
  | 'password.changed'
  | 'password.reset'
  | 'password.reset_requested'
  | 'phone.changed'
  | 'email.confirmed'
  | 'login.reverify_required'
  | 'profile.updated'
  | 'oauth.code_reused'
  | 'account.deleted';

export interface AuditEvent {
  id: string;
  userId: string;
  type: AuditEventType;
  at: string;
  sessionId?: string;
  ip?: string;
  userAgent?: string;
  detail?: Record<string, string | number | boolean>;
  /** Set once the account is deleted and the event stripped of personal data (`audit-pseudonyms.ts`). */
  pseudonymised?: true;
}

/** Who is calling, as far as the edge can tell. Recorded on sessions and events. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

/** The user as the API shows it, with identities. */
export interface UserView {
  id: string;
  displayName: string;
  avatarUrl?: string;
  phone?: string;
  email?: string;
  emailConfirmed: boolean;
  notifications: { sms: boolean; email: boolean };
  identities: { type: IdentityType; label: string; linkedAt: string }[];
  createdAt: string;
}

/** What a successful sign-in or refresh gives the client. */
export interface TokenGrant {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  user: UserView;
  /** The sign-in that started the session (never in a response): what a new-device notice needs. */
  signIn?: SignInRecord;
}

/** A sign-in as it was stored: its session, the event that recorded it, and the client. */
export interface SignInRecord {
  sessionId: string;
  /** The session's `createdAt`: sessions of the user started before it are the devices seen before. */
  startedAt: string;
  /** The `login.succeeded` (or `account.registered`) event: the notice's idempotency key. */
  eventId: string;
  /** As stored on the session (at most 256 characters). */
  userAgent?: string;
  /** The sign-in created the account: there is no other device to compare with. */
  isNewUser: boolean;
  /**
   * Whether an earlier stored session of the user came from this device, when the grant already
   * read the sessions along with the user (`UserDirectory.getUserForSignIn`); otherwise the
   * new-device check reads them itself.
   */
  seenBefore?: boolean;
}

/** What a refresh gives: the tokens without the user (reading it would double the refresh's cost). */
export type RefreshGrant = Omit<TokenGrant, 'user'>;

/** Shapes a user and their identities for the API. */
export function toUserView(user: UserRecord, identities: IdentityRecord[]): UserView {
  return {
    id: user.id,
    displayName: user.displayName,
    ...(user.avatarUrl === undefined ? {} : { avatarUrl: user.avatarUrl }),
    ...(user.phone === undefined ? {} : { phone: user.phone }),
    ...(user.email === undefined ? {} : { email: user.email }),
    emailConfirmed: user.emailConfirmed,
    notifications: user.notifications,
    identities: identities.map((i) => ({ type: i.type, label: i.label, linkedAt: i.linkedAt })),
    createdAt: user.createdAt,
  };
}
