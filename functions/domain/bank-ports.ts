import type { AlertStep } from './alert-policy';
import type { ItemEvent, PlaidItemRecord } from './item-state-machine';

/** What Plaid's `/item/get` says about an Item. */
export interface PlaidItemSnapshot {
  itemId: string;
  institutionId: string;
  institutionName: string | undefined;
  /** Plaid's `item.error`, filled for a broken Item even on HTTP 200. */
  error: { code: string; message: string } | undefined;
  consentExpiresAt: string | undefined;
}

/**
 * A Plaid call that failed with Plaid's envelope (or never reached Plaid: `PLAID_UNREACHABLE`).
 * Callers classify it by `plaidCode`, never by HTTP status.
 */
export class PlaidRequestError extends Error {
  override name = 'PlaidRequestError';
  constructor(
    readonly plaidCode: string,
    readonly plaidType: string,
    readonly httpStatus: number | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Plaid, as this service uses it. */
export interface PlaidGateway {
  /** A Link token: new-link, or update mode for the Item of `accessToken`. */
  createLinkToken(input: {
    userId: string;
    accessToken?: string;
  }): Promise<{ linkToken: string; expiration: string }>;
  exchangePublicToken(publicToken: string): Promise<{ accessToken: string; itemId: string }>;
  getItem(accessToken: string): Promise<PlaidItemSnapshot>;
  removeItem(accessToken: string): Promise<void>;
  /** Points an Item's webhooks at `url` (`/item/webhook/update`). */
  updateWebhook(accessToken: string, url: string): Promise<void>;
  /** A webhook verification key by `kid` (`/webhook_verification_key/get`). */
  webhookVerificationKey(kid: string): Promise<{ jwk: Record<string, unknown>; expiredAt: number | null }>;
}

/** Encrypts Plaid access tokens at rest, bound to their item id. */
export interface AccessTokenCipher {
  encrypt(accessToken: string, itemId: string): Promise<string>;
  decrypt(ciphertext: string, itemId: string): Promise<string>;
}

/** A page of an Item's history, newest first. */
export interface ItemEventPage {
  events: ItemEvent[];
  nextCursor?: string;
}

/** Plaid Items and their history in the table. */
export interface PlaidItemStore {
  /** Stores a new Item with its per-user institution guard; `institution_taken` if the user has one. */
  create(input: { item: PlaidItemRecord; event: ItemEvent }): Promise<'ok' | 'institution_taken'>;
  /** The user's Item for an institution, if any. */
  findByInstitution(userId: string, institutionId: string): Promise<string | undefined>;
  get(itemId: string): Promise<PlaidItemRecord | undefined>;
  listForUser(userId: string): Promise<PlaidItemRecord[]>;
  /**
   * Writes `item` (whose `version` is the one read) with its events, only if nobody wrote it
   * since; false if someone did. With no events, a single update.
   */
  save(item: PlaidItemRecord, events: ItemEvent[]): Promise<boolean>;
  /** Deletes the Item and its guard; the history stays (with a TTL). */
  remove(item: PlaidItemRecord, event: ItemEvent): Promise<void>;
  listEvents(itemId: string, input: { limit: number; cursor?: string }): Promise<ItemEventPage>;
  /** Items of one shard whose next check is at or before `dueBy` (all of the shard if undefined). */
  dueItems(input: {
    shard: number;
    dueBy: Date | undefined;
    startKey?: string;
  }): Promise<{ itemIds: string[]; nextKey?: string }>;
}

/** The channels an alert goes out on. Each is exactly-once on its own. */
export type AlertChannel = 'sms' | 'topic';

/** One send: this step of this episode on this channel. `restored` closes an episode. */
export interface AlertKey {
  itemId: string;
  episodeId: string;
  step: AlertStep | 'restored';
  channel: AlertChannel;
}

/** Exactly-once bookkeeping of alerts: a send is claimed before it is published. */
export interface AlertLedger {
  /** Steps of the episode sent (or being sent) on a channel; a claim older than `staleBefore` does not count. */
  stepsOf(input: {
    itemId: string;
    episodeId: string;
    channel: AlertChannel;
    staleBefore: Date;
  }): Promise<AlertStep[]>;
  /** Claims a send; false if someone else holds it or sent it. A stale claim may be taken over. */
  claim(key: AlertKey, input: { claimId: string; now: Date; staleBefore: Date }): Promise<boolean>;
  /** Marks a claimed send done and records it in the Item's history. */
  complete(key: AlertKey, input: { claimId: string; event: ItemEvent }): Promise<void>;
  /** Gives a claim back after a failed publish, so the next pass retries. */
  release(key: AlertKey, input: { claimId: string }): Promise<void>;
}

/** Where alerts go: the user's phone, and the alert topic (email and other subscribers). */
export interface AlertChannels {
  sendSms(input: { phone: string; message: string }): Promise<void>;
  publishEvent(input: {
    eventType: 'item.needs_action' | 'item.reminder' | 'item.restored';
    userId: string;
    itemId: string;
    subject: string;
    message: string;
  }): Promise<void>;
}

/** Items to check, handed from the dispatcher to the workers. */
export interface CheckQueue {
  enqueue(messages: { itemId: string; dispatchedAt: string }[]): Promise<void>;
}

/** Email subscriptions to the alert topic, each filtered to one user's events. */
export interface EmailSubscriptions {
  /** Subscribes `email` to `userId`'s alerts; the provider asks the address to confirm. Returns a handle. */
  subscribe(email: string, userId: string): Promise<string>;
  unsubscribe(handle: string): Promise<void>;
}
