import type { ItemEvent, PlaidItemRecord } from '../../functions/domain/item-state-machine';
import type {
  AuditEvent,
  IdentityRecord,
  IdentityType,
  LoginFailureRecord,
  SessionRecord,
  UserRecord,
} from '../../functions/domain/model';
import type { AuthorizationCodeRecord } from '../../functions/domain/ports/authorization-code-store';
import type { PhoneSendHistory, SmsCodeRecord } from '../../functions/domain/sms-code-policy';

/** One alert claim of the ledger, as stored. */
export interface StoredAlertClaim {
  itemId: string;
  episodeId: string;
  step: string;
  channel: string;
  state: 'claimed' | 'sent';
  claimId: string;
  claimedAt: string;
  sentAt?: string;
}

/**
 * The state every in-memory store reads and writes: one object per test, shared by the stores
 * built on it, as the DynamoDB adapters share the one table. Records go in and come out as
 * copies, so a test cannot change stored state by accident. Tests may read these maps to assert
 * on what was stored, and seed them through the stores (or directly, for odd states).
 */
export class InMemoryTable {
  readonly users = new Map<string, UserRecord>();
  /** Keyed by `identityKey(type, subject)`: unique per type, as the natural key makes it in DynamoDB. */
  readonly identities = new Map<string, IdentityRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  /** The account history; `expiresAt` in epoch seconds, like the table's TTL attribute. */
  readonly auditEvents: { event: AuditEvent; expiresAt: number }[] = [];
  readonly loginFailures = new Map<string, LoginFailureRecord>();
  readonly smsCodes = new Map<string, SmsCodeRecord>();
  readonly phoneSends = new Map<string, PhoneSendHistory>();
  /** Sends per `ip#hourStart`. */
  readonly ipSends = new Map<string, number>();
  /** Sends per UTC day (`YYYY-MM-DD`). */
  readonly dailySends = new Map<string, number>();
  readonly authorizationCodes = new Map<string, AuthorizationCodeRecord>();
  readonly plaidItems = new Map<string, PlaidItemRecord>();
  /** The Item of `userId#institutionId`. */
  readonly institutionGuards = new Map<string, string>();
  /** An Item's history in insertion order; it outlives the Item. */
  readonly itemEvents = new Map<string, ItemEvent[]>();
  /** Keyed by `alertKey(…)`. */
  readonly alertClaims = new Map<string, StoredAlertClaim>();

  constructor(
    /** How long account events are kept (the `AUDIT_RETENTION_DAYS` setting), in seconds. */
    readonly eventRetentionSeconds = 400 * 86400,
    /** Shards of the next-check index (the `POLLER_SHARDS` setting). */
    readonly shards = 4,
  ) {}

  /** The identity with this natural key, if any. */
  identity(type: IdentityType, subject: string): IdentityRecord | undefined {
    return copy(this.identities.get(identityKey(type, subject)));
  }

  putIdentity(identity: IdentityRecord): void {
    this.identities.set(identityKey(identity.type, identity.subject), copy(identity));
  }

  appendAuditEvent(event: AuditEvent): void {
    this.auditEvents.push({
      event: copy(event),
      expiresAt: Math.floor(Date.parse(event.at) / 1000) + this.eventRetentionSeconds,
    });
  }

  appendItemEvent(itemId: string, event: ItemEvent): void {
    this.itemEvents.set(itemId, [...(this.itemEvents.get(itemId) ?? []), copy(event)]);
  }

  /**
   * Whether the user has an identity of this type: what the `USER#<id>`/`IDTYPE#<type>` guard
   * records in DynamoDB (a fake holds only data written through guarded paths).
   */
  hasIdentityType(userId: string, type: IdentityType): boolean {
    for (const identity of this.identities.values()) {
      if (identity.userId === userId && identity.type === type) return true;
    }
    return false;
  }

  /** Adds `delta` to the user's identity count, as DynamoDB's `ADD` does. */
  countIdentities(userId: string, delta: number): void {
    const user = this.users.get(userId);
    if (user !== undefined) user.identityCount = (user.identityCount ?? 0) + delta;
  }
}

/** The key of an identity in {@link InMemoryTable.identities}. */
export const identityKey = (type: IdentityType, subject: string): string => `${type}#${subject}`;

/** The key of an alert claim in {@link InMemoryTable.alertClaims}. */
export const alertKey = (itemId: string, episodeId: string, step: string, channel: string): string =>
  `${itemId}#${episodeId}#${step}#${channel}`;

/** A deep copy (records never alias what is stored). */
export function copy<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** A page cursor: the base64url of the position, checked on the way back in. */
export const cursors = {
  encode: (position: string): string => Buffer.from(position, 'utf8').toString('base64url'),
  decode: (cursor: string, prefix: string): string | undefined => {
    const position = /^[A-Za-z0-9_-]{1,400}$/.test(cursor)
      ? Buffer.from(cursor, 'base64url').toString('utf8')
      : '';
    return position.startsWith(prefix) ? position : undefined;
  },
};
