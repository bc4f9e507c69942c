import type { IdentityType } from '../../domain/model';

/**
 * Every key of the table is built here and nowhere else. `docs/access-patterns.md` lists the
 * patterns these serve.
 */
export const keys = {
  /** A user's profile: `USER#<id>` / `PROFILE`. */
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /** Profile on gsi1, sorted before the identities so one query reads both. */
  userByOwner: (userId: string) => ({ gsi1pk: `USER#${userId}`, gsi1sk: '#PROFILE' }),

  /** An identity under its natural key, which makes it unique: `IDENTITY#<type>#<subject>`. */
  identity: (type: IdentityType, subject: string) => ({ pk: `IDENTITY#${type}#${subject}`, sk: 'IDENTITY' }),
  identityByOwner: (userId: string, type: IdentityType) => ({
    gsi1pk: `USER#${userId}`,
    gsi1sk: `IDENTITY#${type}`,
  }),

  /** A session: `SESSION#<id>`. */
  session: (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  sessionByOwner: (userId: string, createdAt: string, sessionId: string) => ({
    gsi1pk: `USER#${userId}`,
    gsi1sk: `SESSION#${createdAt}#${sessionId}`,
  }),

  /** An audit event in the user's partition, time-ordered. */
  event: (userId: string, at: string, eventId: string) => ({
    pk: `USER#${userId}`,
    sk: `EVENT#${at}#${eventId}`,
  }),

  /** The failed-password counter of a username (TTL item). */
  loginFailures: (username: string) => ({ pk: `LOGIN#${username}`, sk: 'FAILURES' }),
  /** A failed password for a username that has no account (TTL item). */
  unknownUsernameFailure: (username: string, at: string, id: string) => ({
    pk: `LOGIN#${username}`,
    sk: `UNKNOWN#${at}#${id}`,
  }),

  /** The live SMS code of a phone (TTL item): one per phone, a new send replaces it. */
  smsCode: (phone: string) => ({ pk: `SMSCODE#${phone}`, sk: 'CODE' }),
  /** A phone's recent SMS sends, for the rolling limits (TTL item). */
  phoneSends: (phone: string) => ({ pk: `SMSRATE#phone#${phone}`, sk: 'SENDS' }),
  /** SMS sends from one client IP in one clock hour (TTL item). */
  ipSends: (ip: string, hourStart: string) => ({ pk: `SMSRATE#ip#${ip}`, sk: `HOUR#${hourStart}` }),
  /** A one-time authorization code, by the hash of the code (TTL item). */
  authorizationCode: (codeHash: string) => ({ pk: `AUTHCODE#${codeHash}`, sk: 'CODE' }),
  /** A bank link (Plaid Item). */
  plaidItem: (itemId: string) => ({ pk: `ITEM#${itemId}`, sk: 'ITEM' }),
  plaidItemByOwner: (userId: string, createdAt: string, itemId: string) => ({
    gsi1pk: `USER#${userId}`,
    gsi1sk: `ITEM#${createdAt}#${itemId}`,
  }),
  /** One shard of the next-check index. */
  dueShard: (shard: number) => ({ gsi2pk: `DUE#${shard}` }),
  /** The sharded next-check index entry of an Item. */
  plaidItemDue: (shard: number, nextCheckAt: string, itemId: string) => ({
    ...keys.dueShard(shard),
    gsi2sk: `${nextCheckAt}#${itemId}`,
  }),
  /** The item id in a bank link's `pk` (the next-check index projects keys only). */
  itemIdOf: (pk: string) => pk.slice('ITEM#'.length),
  /** One Item per user per institution: this guard item makes it so. */
  institutionGuard: (userId: string, institutionId: string) => ({
    pk: `USERINST#${userId}#${institutionId}`,
    sk: 'GUARD',
  }),
  /** An entry of an Item's history. */
  plaidItemEvent: (itemId: string, at: string, id: string) => ({
    pk: `ITEM#${itemId}`,
    sk: `EVENT#${at}#${id}`,
  }),
  /** A claimed or sent alert: one per (episode, step, channel). */
  alertClaim: (itemId: string, episodeId: string, step: string, channel: string) => ({
    pk: `ITEM#${itemId}`,
    sk: `ALERT#${episodeId}#${step}#${channel}`,
  }),
  /** All SMS sends in one UTC day, the spend brake (TTL item). */
  dailySends: (day: string) => ({ pk: 'SMSRATE#global', sk: `DAY#${day}` }),
} as const;

/** Key-condition values for the patterns that query ranges. */
export const ranges = {
  /** gsi1 sort keys of a user's profile and identities: `#PROFILE` ≤ sk ≤ `IDENTITY#~`. */
  profileAndIdentities: { from: '#PROFILE', to: 'IDENTITY#~' },
  sessionPrefix: 'SESSION#',
  itemPrefix: 'ITEM#',
  alertPrefix: (episodeId: string) => `ALERT#${episodeId}#`,
  eventPrefix: 'EVENT#',
} as const;

/** The key attributes every item carries; stripped before an item becomes a record. */
export const KEY_ATTRIBUTES = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'entity',
  'expiresAt',
] as const;
