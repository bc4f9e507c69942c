import { randomInt, randomUUID } from 'node:crypto';
import {
  type Item,
  type ItemErrorWebhook,
  type ItemLoginRepairedWebhook,
  type ItemStatusLastWebhook,
  type ItemStatusNullable,
  type ItemStatusTransactions,
  ItemUpdateTypeEnum,
  type ItemWithConsentFields,
  ItemWithConsentFieldsUpdateTypeEnum,
  type LinkSessionSuccessMetadata,
  type NewAccountsAvailableWebhook,
  type PendingDisconnectWebhook,
  PendingDisconnectWebhookReason,
  type PendingExpirationWebhook,
  type Products,
  type UserAccountRevokedWebhook,
  type UserPermissionRevokedWebhook,
  WebhookEnvironmentValues,
  type WebhookUpdateAcknowledgedWebhook,
} from 'plaid';
import { isItemError, newRequestId, plaidError, plaidTime, type SandboxInstitution } from './plaid-catalog';
import type { SentWebhook, WebhookSender } from './plaid-webhooks';

/** One account of an Item, as Link's onSuccess metadata and USER_ACCOUNT_REVOKED name it. */
export interface EmulatedAccount {
  accountId: string;
  name: string;
  mask: string;
  type: string;
  subtype: string;
  /** The user revoked this account alone (USER_ACCOUNT_REVOKED): the Item stays healthy. */
  revoked: boolean;
}

/** An Item as the emulator holds it (a copy: changing it changes nothing). */
export interface EmulatedItem {
  itemId: string;
  /** Null until its public token is exchanged. */
  accessToken: string | null;
  institutionId: string;
  institutionName: string;
  products: Products[];
  webhook: string | null;
  clientUserId: string | null;
  /** The Plaid error the Item is failing with, if any. */
  errorCode: string | null;
  consentExpirationTime: string | null;
  /** PENDING_DISCONNECT's `disconnect_time`: when it passes, the Item breaks (ITEM_LOGIN_REQUIRED). */
  disconnectAt: string | null;
  /** Set once consent has lapsed (the Item broke at `consentExpirationTime`). */
  consentLapsed: boolean;
  /** `status.transactions` of `/item/get`. */
  lastSuccessfulUpdate: string | null;
  lastFailedUpdate: string | null;
  /** Set by `/emulator/items/{id}/stale`: no data since, yet no error either. */
  staleSince: string | null;
  /**
   * Plaid's `item.update_type` (set by `/emulator/items/{id}/update-type`). Plaid's OpenAPI
   * (`Item.update_type`): "`background` - Item can be updated in the background;
   * `user_present_required` - Item requires user interaction to be updated", which "can be the
   * case for Items with some forms of two-factor authentication". So a `user_present_required`
   * Item's `last_successful_update` does not move between the user's visits.
   */
  updateType: 'background' | 'user_present_required';
  accounts: EmulatedAccount[];
  removed: boolean;
  createdAt: string;
  /** `/item/get` calls made with its access token (rate-limited and after-removal ones included). */
  getCount: number;
}

export interface ItemRecord extends EmulatedItem {
  /** Times (ms) of the `/item/get` calls answered in the last minute. */
  getTimes: number[];
  lastWebhook: ItemStatusLastWebhook | null;
  /** Transactions refreshes are accounted for up to this time (ms). */
  refreshedThrough: number;
}

/** One Link session opened with a link token (what `/link/token/get` lists). */
export interface LinkSessionRecord {
  linkSessionId: string;
  startedAt: string;
  finishedAt: string;
  /** Link's onSuccess: the public token (new link, or update mode) and its metadata. */
  success: { publicToken: string; metadata: LinkSessionSuccessMetadata } | null;
  /** Link's onExit: the error (null when the user closed Link) and its metadata. */
  exit: { error: Record<string, unknown> | null; metadata: Record<string, unknown> } | null;
}

export interface LinkTokenRecord {
  token: string;
  /** The Item an update-mode token repairs; null for a new link. */
  itemId: string | null;
  /** Always null in update mode: Plaid ignores `webhook` there. */
  webhook: string | null;
  clientUserId: string | null;
  products: Products[];
  expiresAt: number;
  createdAt?: number;
  /** What `/link/token/create` was given (for `/link/token/get`'s metadata and tests). */
  request?: {
    clientName: string | null;
    language: string | null;
    countryCodes: string[];
    redirectUri: string | null;
    androidPackageName: string | null;
    linkCustomizationName: string | null;
    accountSelectionEnabled: boolean;
    /** The `webhook` the caller sent (kept to show that update mode ignored it). */
    webhookGiven: string | null;
  };
  sessions?: LinkSessionRecord[];
}

/** What the emulator keeps in a file across restarts under `npm start -- --persist`. */
export interface PersistedPlaidState {
  items: ItemRecord[];
  linkTokens: LinkTokenRecord[];
  publicTokens: { token: string; itemId: string; expiresAt: number; used: boolean }[];
  institutionStatus?: Record<string, InstitutionHealth>;
  clockOffsetMs?: number;
}

/** What `/emulator/institutions/{id}/status` sets and `/institutions/get_by_id` reports. */
export interface InstitutionHealth {
  status: 'HEALTHY' | 'DEGRADED' | 'DOWN';
  lastStatusChange: string;
}

export interface EmulatorConfig {
  latencyMs: number;
  itemGetLimitPerMinute: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/**
 * How often the emulator's Items refresh transactions. Plaid updates transactions "at least once
 * a day, and up to four times" (https://plaid.com/docs/transactions/webhooks/); every 6 hours is
 * the upper end, so `last_successful_update` is never more than 6 hours old on a healthy Item.
 */
export const REFRESH_INTERVAL_MS = 6 * 60 * MINUTE;
/**
 * Reauthorization through update mode extends consent to 12 months from then (Plaid's
 * `LinkTokenCreateRequestUpdate.reauthorization_enabled`, OpenAPI 2020-09-14).
 */
const CONSENT_RENEWAL_MS = 365 * DAY;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const itemId = () => Array.from({ length: 37 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

/** The accounts a Sandbox login (`user_good`) brings, as Plaid's Sandbox names them. */
const SANDBOX_ACCOUNTS = [
  { name: 'Plaid Checking', mask: '0000', type: 'depository', subtype: 'checking' },
  { name: 'Plaid Saving', mask: '1111', type: 'depository', subtype: 'savings' },
  { name: 'Plaid Credit Card', mask: '3333', type: 'credit', subtype: 'credit card' },
];
const accountId = () =>
  Array.from({ length: 37 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

/** Items, tokens and the webhooks they cause; the HTTP layers only translate. */
export class PlaidState {
  readonly items = new Map<string, ItemRecord>();
  readonly byAccessToken = new Map<string, ItemRecord>();
  readonly linkTokens = new Map<string, LinkTokenRecord>();
  readonly publicTokens = new Map<string, { itemId: string; expiresAt: number; used: boolean }>();
  readonly institutionStatus = new Map<string, InstitutionHealth>();
  /** Nothing is due before this time (ms): `advance` is free until then (it runs on every request). */
  private nextDueAt = 0;

  constructor(
    readonly now: () => Date,
    readonly webhooks: WebhookSender,
    readonly config: EmulatorConfig,
  ) {}

  /** Items and unexpired tokens as JSON, for `--persist` (webhooks and keys are not kept). */
  toJSON(): PersistedPlaidState {
    return {
      items: [...this.items.values()],
      linkTokens: [...this.linkTokens.values()],
      publicTokens: [...this.publicTokens.entries()].map(([token, t]) => ({ token, ...t })),
      institutionStatus: Object.fromEntries(this.institutionStatus),
    };
  }

  /** Puts back what `toJSON` saved (files of older emulators included). */
  restore(saved: PersistedPlaidState): void {
    for (const item of saved.items) {
      // Files written by older emulators lack the newer fields: they get their defaults.
      const record = {
        disconnectAt: null,
        consentLapsed: false,
        lastSuccessfulUpdate: item.createdAt,
        lastFailedUpdate: null,
        staleSince: null,
        updateType: 'background',
        accounts: [],
        lastWebhook: null,
        refreshedThrough: Date.parse(item.createdAt),
        ...(item as Partial<ItemRecord>),
        getTimes: [],
      } as ItemRecord;
      this.items.set(record.itemId, record);
      if (record.accessToken !== null) this.byAccessToken.set(record.accessToken, record);
    }
    for (const link of saved.linkTokens) this.linkTokens.set(link.token, link);
    for (const { token, ...rest } of saved.publicTokens) this.publicTokens.set(token, rest);
    for (const [id, health] of Object.entries(saved.institutionStatus ?? {}))
      this.institutionStatus.set(id, health);
  }

  createLinkToken(input: Omit<LinkTokenRecord, 'token' | 'expiresAt'>): LinkTokenRecord {
    // Link tokens last 4 hours; update-mode ones 30 minutes (LinkTokenCreateResponse.expiration).
    const lifetime = input.itemId === null ? 4 * 60 * MINUTE : 30 * MINUTE;
    const record = {
      ...input,
      token: `link-sandbox-${randomUUID()}`,
      expiresAt: this.now().getTime() + lifetime,
      createdAt: this.now().getTime(),
      sessions: [],
    };
    this.linkTokens.set(record.token, record);
    return record;
  }

  /** A new Item (no access token yet) and the public token that will reveal it. */
  createItem(
    institution: SandboxInstitution,
    products: Products[],
    webhook: string | null,
    clientUserId: string | null,
    accounts: { name?: string; mask: string; type?: string; subtype?: string }[] = SANDBOX_ACCOUNTS,
  ): { item: ItemRecord; publicToken: string } {
    const now = this.now();
    const item: ItemRecord = {
      itemId: itemId(),
      accessToken: null,
      institutionId: institution.institutionId,
      institutionName: institution.name,
      products: products.length > 0 ? [...products] : (['transactions'] as Products[]),
      webhook,
      clientUserId,
      errorCode: null,
      consentExpirationTime: null,
      disconnectAt: null,
      consentLapsed: false,
      // The initial pull at link time is the first successful update.
      lastSuccessfulUpdate: plaidTime(now),
      lastFailedUpdate: null,
      staleSince: null,
      updateType: 'background',
      accounts: accounts.map((a) => ({
        accountId: accountId(),
        name: a.name ?? `Plaid account ${a.mask}`,
        mask: a.mask,
        type: a.type ?? 'depository',
        subtype: a.subtype ?? 'checking',
        revoked: false,
      })),
      removed: false,
      createdAt: plaidTime(now),
      getCount: 0,
      getTimes: [],
      lastWebhook: null,
      refreshedThrough: now.getTime(),
    };
    this.items.set(item.itemId, item);
    this.touched();
    return { item, publicToken: this.newPublicToken(item) };
  }

  /** A public token for an Item (Link's onSuccess gives one in update mode too). */
  newPublicToken(item: ItemRecord): string {
    const publicToken = `public-sandbox-${randomUUID()}`;
    // Public tokens expire 30 minutes after creation (ItemPublicTokenExchangeRequest docs).
    this.publicTokens.set(publicToken, {
      itemId: item.itemId,
      expiresAt: this.now().getTime() + 30 * MINUTE,
      used: false,
    });
    return publicToken;
  }

  /** Trades a public token for the Item's access token; undefined if unknown, used or expired. */
  exchange(publicToken: string): { item: ItemRecord } | { problem: 'unknown' | 'expired' } {
    const record = this.publicTokens.get(publicToken);
    const item = record === undefined ? undefined : this.items.get(record.itemId);
    if (record === undefined || record.used || item === undefined) return { problem: 'unknown' };
    if (record.expiresAt <= this.now().getTime()) return { problem: 'expired' };
    record.used = true;
    if (item.accessToken === null) {
      item.accessToken = `access-sandbox-${randomUUID()}`;
      this.byAccessToken.set(item.accessToken, item);
    }
    return { item };
  }

  /** Puts an `/item/get` in the rolling minute; false when the Item is over its limit. */
  countGet(item: ItemRecord): boolean {
    const now = this.now().getTime();
    item.getTimes = item.getTimes.filter((t) => t > now - MINUTE);
    if (item.getTimes.length >= this.config.itemGetLimitPerMinute) return false;
    item.getTimes.push(now);
    return true;
  }

  /**
   * Brings every Item up to the emulator's clock, in time order: transactions refreshes every
   * `REFRESH_INTERVAL_MS` (a success while the Item is clean and not stale, a failure while it
   * has an error), and deadlines that passed. A PENDING_DISCONNECT's `disconnect_time` or a
   * lapsed `consent_expiration_time` breaks the Item with ITEM_LOGIN_REQUIRED and Plaid's ERROR
   * webhook (https://plaid.com/docs/api/items/#pending_disconnect: "the Item will be
   * disconnected"; https://plaid.com/docs/api/items/#pending_expiration: after expiry the user
   * must go through update mode, which is ITEM_LOGIN_REQUIRED's remedy).
   */
  advance(): void {
    const now = this.now().getTime();
    if (now < this.nextDueAt) return;
    let nextDue = Number.POSITIVE_INFINITY;
    for (const item of this.items.values()) {
      if (item.removed) continue;
      for (;;) {
        const slot = item.refreshedThrough + REFRESH_INTERVAL_MS;
        const deadline = this.nextDeadline(item);
        const next = Math.min(slot, deadline?.at ?? Number.POSITIVE_INFINITY);
        if (next > now) break;
        if (deadline !== undefined && deadline.at <= slot) {
          if (deadline.kind === 'disconnect') item.disconnectAt = null;
          else item.consentLapsed = true;
          this.setError(item, 'ITEM_LOGIN_REQUIRED');
          continue;
        }
        item.refreshedThrough = slot;
        const at = plaidTime(new Date(slot));
        if (item.errorCode !== null) item.lastFailedUpdate = at;
        else if (item.staleSince === null && item.updateType === 'background') item.lastSuccessfulUpdate = at;
      }
      const deadline = this.nextDeadline(item);
      nextDue = Math.min(nextDue, item.refreshedThrough + REFRESH_INTERVAL_MS, deadline?.at ?? nextDue);
    }
    this.nextDueAt = nextDue;
  }

  /** Something changed that may be due sooner: the next `advance` looks at every Item again. */
  touched(): void {
    this.nextDueAt = 0;
  }

  private nextDeadline(item: ItemRecord): { at: number; kind: 'disconnect' | 'consent' } | undefined {
    const candidates: { at: number; kind: 'disconnect' | 'consent' }[] = [];
    if (item.disconnectAt !== null)
      candidates.push({ at: Date.parse(item.disconnectAt), kind: 'disconnect' });
    if (item.consentExpirationTime !== null && !item.consentLapsed)
      candidates.push({ at: Date.parse(item.consentExpirationTime), kind: 'consent' });
    return candidates.sort((a, b) => a.at - b.at)[0];
  }

  /**
   * The Item starts failing with `code` (null: it stops). Item errors send Plaid's webhook
   * (`ERROR`, or `USER_PERMISSION_REVOKED`); leaving ITEM_LOGIN_REQUIRED outside the app sends
   * `LOGIN_REPAIRED` (https://plaid.com/docs/api/items/#login_repaired); institution and API
   * errors send none.
   */
  setError(item: ItemRecord, code: string | null): SentWebhook | undefined {
    this.touched();
    const previous = item.errorCode;
    item.errorCode = code;
    if (code === null) {
      return previous === 'ITEM_LOGIN_REQUIRED' ? this.sendItemWebhook(item, 'LOGIN_REPAIRED') : undefined;
    }
    if (!isItemError(code)) return undefined;
    return code === 'USER_PERMISSION_REVOKED'
      ? this.sendItemWebhook(item, 'USER_PERMISSION_REVOKED')
      : this.sendItemWebhook(item, 'ERROR');
  }

  /**
   * The user went through update mode in the app: Item errors and a pending disconnect are
   * cleared, consent is renewed (moved 12 months later, never nulled), data flows again. No
   * webhook: Plaid sends LOGIN_REPAIRED only for repairs made outside the app
   * (https://plaid.com/docs/api/items/#login_repaired).
   */
  repair(item: ItemRecord): void {
    this.touched();
    if (item.errorCode !== null && isItemError(item.errorCode)) item.errorCode = null;
    item.disconnectAt = null;
    if (item.consentExpirationTime !== null) {
      item.consentExpirationTime = plaidTime(new Date(this.now().getTime() + CONSENT_RENEWAL_MS));
      item.consentLapsed = false;
    }
    item.staleSince = null;
    item.lastSuccessfulUpdate = plaidTime(this.now());
  }

  /**
   * Fires an ITEM webhook and changes the Item the way Plaid would when that webhook is true
   * (`/emulator/items/{id}/webhook`); returns an error sentence for a request that makes no sense.
   */
  fire(item: ItemRecord, code: string, fields: Record<string, unknown>): SentWebhook | string {
    this.touched();
    const time = (name: string, fallbackDays: number): Date | string => {
      const given = fields[name];
      if (given === undefined) return new Date(this.now().getTime() + fallbackDays * DAY);
      const at = new Date(String(given));
      return Number.isNaN(at.getTime()) ? `${name} must be an ISO-8601 time` : at;
    };
    switch (code) {
      case 'ERROR': {
        const errorCode = fields.errorCode ?? 'ITEM_LOGIN_REQUIRED';
        if (
          typeof errorCode !== 'string' ||
          !isItemError(errorCode) ||
          errorCode === 'USER_PERMISSION_REVOKED'
        )
          return 'ERROR takes an ITEM_ERROR errorCode (ITEM_LOGIN_REQUIRED by default)';
        item.errorCode = errorCode;
        return this.sendItemWebhook(item, 'ERROR');
      }
      case 'PENDING_DISCONNECT': {
        // Sent 7 days before the disconnection; /item/get stays clean until disconnect_time.
        const at = time('disconnectTime', 7);
        if (typeof at === 'string') return at;
        const reason = fields.reason ?? PendingDisconnectWebhookReason.TokenExpiration;
        if (!Object.values(PendingDisconnectWebhookReason).includes(reason as PendingDisconnectWebhookReason))
          return `reason must be one of ${Object.values(PendingDisconnectWebhookReason).join(', ')}`;
        item.disconnectAt = plaidTime(at);
        return this.sendItemWebhook(item, 'PENDING_DISCONNECT', { reason });
      }
      case 'PENDING_EXPIRATION': {
        const at = time('consentExpirationTime', 7);
        if (typeof at === 'string') return at;
        item.consentExpirationTime = plaidTime(at);
        item.consentLapsed = false;
        return this.sendItemWebhook(item, 'PENDING_EXPIRATION');
      }
      case 'USER_PERMISSION_REVOKED':
        // Permanent: update mode cannot bring it back (see /link/token/create), a new link can.
        item.errorCode = 'USER_PERMISSION_REVOKED';
        return this.sendItemWebhook(item, 'USER_PERMISSION_REVOKED');
      case 'USER_ACCOUNT_REVOKED': {
        // One account, not the Item (https://plaid.com/docs/api/items/#user_account_revoked).
        const account =
          fields.accountId === undefined
            ? item.accounts.find((a) => !a.revoked)
            : item.accounts.find((a) => a.accountId === fields.accountId);
        if (account === undefined) return 'no such account on this Item (accountId)';
        account.revoked = true;
        return this.sendItemWebhook(item, 'USER_ACCOUNT_REVOKED', { account_id: account.accountId });
      }
      case 'LOGIN_REPAIRED':
        // A repair made outside the app (another app, or the bank): errors and deadlines end.
        item.errorCode = null;
        item.disconnectAt = null;
        return this.sendItemWebhook(item, 'LOGIN_REPAIRED');
      case 'NEW_ACCOUNTS_AVAILABLE':
      case 'WEBHOOK_UPDATE_ACKNOWLEDGED':
        return this.sendItemWebhook(item, code);
      default:
        return `no ITEM webhook ${code} in the emulator`;
    }
  }

  /** Sends an ITEM webhook with Plaid's body for `code` to the Item's webhook URL. */
  sendItemWebhook(item: ItemRecord, code: string, extra: Record<string, unknown> = {}): SentWebhook {
    const base = { webhook_type: 'ITEM', webhook_code: code, item_id: item.itemId };
    const environment = WebhookEnvironmentValues.Sandbox;
    const inDays = (days: number) => plaidTime(new Date(this.now().getTime() + days * DAY));
    const itemError = () =>
      plaidError(
        item.errorCode !== null && isItemError(item.errorCode) ? item.errorCode : 'ITEM_LOGIN_REQUIRED',
        newRequestId(),
      );
    let payload: typeof base & Record<string, unknown>;
    switch (code) {
      case 'ERROR':
        payload = { ...base, error: itemError(), environment } satisfies ItemErrorWebhook;
        break;
      case 'PENDING_EXPIRATION':
        payload = {
          ...base,
          consent_expiration_time: item.consentExpirationTime ?? inDays(7),
          environment,
        } satisfies PendingExpirationWebhook;
        break;
      case 'PENDING_DISCONNECT':
        payload = {
          ...base,
          reason:
            (extra.reason as PendingDisconnectWebhookReason) ??
            PendingDisconnectWebhookReason.TokenExpiration,
          disconnect_time: item.disconnectAt ?? inDays(7),
          environment,
        } satisfies PendingDisconnectWebhook;
        break;
      case 'USER_PERMISSION_REVOKED':
        payload = {
          ...base,
          error: plaidError('USER_PERMISSION_REVOKED', newRequestId()),
          environment,
        } satisfies UserPermissionRevokedWebhook;
        break;
      case 'USER_ACCOUNT_REVOKED':
        payload = {
          ...base,
          account_id:
            typeof extra.account_id === 'string' ? extra.account_id : (item.accounts[0]?.accountId ?? ''),
          environment,
        } satisfies UserAccountRevokedWebhook;
        break;
      case 'NEW_ACCOUNTS_AVAILABLE':
        payload = { ...base, error: null, environment } satisfies NewAccountsAvailableWebhook;
        break;
      case 'WEBHOOK_UPDATE_ACKNOWLEDGED':
        payload = {
          ...base,
          new_webhook_url: item.webhook ?? '',
          error: null,
          environment,
        } satisfies WebhookUpdateAcknowledgedWebhook;
        break;
      case 'LOGIN_REPAIRED':
        payload = { ...base, environment } satisfies ItemLoginRepairedWebhook;
        break;
      default:
        throw new Error(`no ITEM webhook ${code} in the emulator`);
    }
    const sent = this.webhooks.send(item.webhook, payload);
    if (sent.outcome !== 'no_webhook') item.lastWebhook = { sent_at: plaidTime(this.now()), code_sent: code };
    return sent;
  }

  /** `/item/get`'s view of the Item. */
  view(item: ItemRecord): ItemWithConsentFields {
    const institution = { institution_id: item.institutionId, institution_name: item.institutionName };
    return {
      item_id: item.itemId,
      ...institution,
      webhook: item.webhook,
      error: item.errorCode === null ? null : plaidError(item.errorCode, newRequestId()),
      available_products: (
        ['assets', 'auth', 'balance', 'identity', 'investments', 'liabilities'] as Products[]
      ).filter((p) => !item.products.includes(p)),
      billed_products: [...item.products],
      products: [...item.products],
      consented_products: [...item.products],
      consent_expiration_time: item.consentExpirationTime,
      update_type:
        item.updateType === 'background'
          ? ItemWithConsentFieldsUpdateTypeEnum.Background
          : ItemWithConsentFieldsUpdateTypeEnum.UserPresentRequired,
      created_at: item.createdAt,
    };
  }

  /** `/item/get`'s `status`: transactions timestamps (ItemStatusTransactions) and the last webhook. */
  status(item: ItemRecord): ItemStatusNullable {
    const transactions: ItemStatusTransactions = {
      last_successful_update: item.lastSuccessfulUpdate,
      last_failed_update: item.lastFailedUpdate,
    };
    return {
      investments: null,
      transactions: item.products.includes('transactions' as Products) ? transactions : null,
      last_webhook: item.lastWebhook,
    };
  }

  /** `/item/webhook/update`'s view (Plaid's plain `Item`). */
  plainView(item: ItemRecord): Item {
    const { created_at: _, ...rest } = this.view(item);
    return {
      ...rest,
      update_type:
        item.updateType === 'background'
          ? ItemUpdateTypeEnum.Background
          : ItemUpdateTypeEnum.UserPresentRequired,
    };
  }

  snapshot(item: ItemRecord): EmulatedItem {
    const { getTimes: _, lastWebhook: __, refreshedThrough: ___, ...copy } = item;
    return { ...copy, products: [...item.products], accounts: item.accounts.map((a) => ({ ...a })) };
  }
}
