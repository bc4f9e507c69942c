import { randomInt, randomUUID } from 'node:crypto';
import {
  type Item,
  type ItemErrorWebhook,
  type ItemLoginRepairedWebhook,
  type ItemStatusLastWebhook,
  ItemUpdateTypeEnum,
  type ItemWithConsentFields,
  ItemWithConsentFieldsUpdateTypeEnum,
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
  removed: boolean;
  createdAt: string;
  /** `/item/get` calls made with its access token (rate-limited and after-removal ones included). */
  getCount: number;
}

export interface ItemRecord extends EmulatedItem {
  /** Times (ms) of the `/item/get` calls answered in the last minute. */
  getTimes: number[];
  lastWebhook: ItemStatusLastWebhook | null;
}

export interface LinkTokenRecord {
  token: string;
  /** The Item an update-mode token repairs; null for a new link. */
  itemId: string | null;
  webhook: string | null;
  clientUserId: string | null;
  products: Products[];
  expiresAt: number;
}

/** What the emulator keeps in a file across restarts under `npm start -- --persist`. */
export interface PersistedPlaidState {
  items: ItemRecord[];
  linkTokens: LinkTokenRecord[];
  publicTokens: { token: string; itemId: string; expiresAt: number; used: boolean }[];
}

export interface EmulatorConfig {
  latencyMs: number;
  itemGetLimitPerMinute: number;
}

const MINUTE = 60_000;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const itemId = () => Array.from({ length: 37 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

/** Items, tokens and the webhooks they cause; the HTTP layers only translate. */
export class PlaidState {
  readonly items = new Map<string, ItemRecord>();
  readonly byAccessToken = new Map<string, ItemRecord>();
  readonly linkTokens = new Map<string, LinkTokenRecord>();
  readonly publicTokens = new Map<string, { itemId: string; expiresAt: number; used: boolean }>();

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
    };
  }

  /** Puts back what `toJSON` saved. */
  restore(saved: PersistedPlaidState): void {
    for (const item of saved.items) {
      const record = { ...item, getTimes: [] };
      this.items.set(record.itemId, record);
      if (record.accessToken !== null) this.byAccessToken.set(record.accessToken, record);
    }
    for (const link of saved.linkTokens) this.linkTokens.set(link.token, link);
    for (const { token, ...rest } of saved.publicTokens) this.publicTokens.set(token, rest);
  }

  createLinkToken(input: Omit<LinkTokenRecord, 'token' | 'expiresAt'>): LinkTokenRecord {
    const lifetime = input.itemId === null ? 4 * 60 * MINUTE : 30 * MINUTE;
    const record = {
      ...input,
      token: `link-sandbox-${randomUUID()}`,
      expiresAt: this.now().getTime() + lifetime,
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
  ): { item: ItemRecord; publicToken: string } {
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
      removed: false,
      createdAt: plaidTime(this.now()),
      getCount: 0,
      getTimes: [],
      lastWebhook: null,
    };
    this.items.set(item.itemId, item);
    const publicToken = `public-sandbox-${randomUUID()}`;
    this.publicTokens.set(publicToken, {
      itemId: item.itemId,
      expiresAt: this.now().getTime() + 30 * MINUTE,
      used: false,
    });
    return { item, publicToken };
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
   * The Item starts failing with `code` (null: it stops). Item errors send Plaid's webhook
   * (`ERROR`, or `USER_PERMISSION_REVOKED`); leaving ITEM_LOGIN_REQUIRED without update mode
   * sends `LOGIN_REPAIRED`; institution and API errors send none.
   */
  setError(item: ItemRecord, code: string | null): SentWebhook | undefined {
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

  /** The user went through update mode: Item errors and consent expiry are cleared. */
  repair(item: ItemRecord): SentWebhook | undefined {
    const broken = item.errorCode !== null && isItemError(item.errorCode);
    if (broken) item.errorCode = null;
    const expiring = item.consentExpirationTime !== null;
    item.consentExpirationTime = null;
    return broken || expiring ? this.sendItemWebhook(item, 'LOGIN_REPAIRED') : undefined;
  }

  /** Sends an ITEM webhook with Plaid's body for `code` to the Item's webhook URL. */
  sendItemWebhook(item: ItemRecord, code: string): SentWebhook {
    const base = { webhook_type: 'ITEM', webhook_code: code, item_id: item.itemId };
    const environment = WebhookEnvironmentValues.Sandbox;
    const inDays = (days: number) => plaidTime(new Date(this.now().getTime() + days * 24 * 60 * MINUTE));
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
          reason: PendingDisconnectWebhookReason.TokenExpiration,
          disconnect_time: inDays(7),
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
        payload = { ...base, account_id: itemId(), environment } satisfies UserAccountRevokedWebhook;
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
      update_type: ItemWithConsentFieldsUpdateTypeEnum.Background,
      created_at: item.createdAt,
    };
  }

  /** `/item/webhook/update`'s view (Plaid's plain `Item`). */
  plainView(item: ItemRecord): Item {
    const { created_at: _, ...rest } = this.view(item);
    return { ...rest, update_type: ItemUpdateTypeEnum.Background };
  }

  snapshot(item: ItemRecord): EmulatedItem {
    const { getTimes: _, lastWebhook: __, ...copy } = item;
    return { ...copy, products: [...item.products] };
  }
}
