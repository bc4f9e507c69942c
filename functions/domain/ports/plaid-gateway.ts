import type { InstitutionStatus } from '../item-status';

/** What Plaid's `/item/get` says about an Item. */
export interface PlaidItemSnapshot {
  itemId: string;
  institutionId: string;
  institutionName: string | undefined;
  /** Plaid's `item.error`, filled for a broken Item even on HTTP 200. */
  error: { code: string; message: string } | undefined;
  consentExpiresAt: string | undefined;
  /**
   * Plaid's `status.transactions.last_successful_update`: when Plaid last got data for the Item;
   * `null` if never, `undefined` if Plaid did not say (no transactions product).
   */
  lastSuccessfulUpdate?: string | null;
  /**
   * Plaid's `item.update_type`: `user_present_required` when the bank updates the Item only while
   * the user is present (some forms of two-factor authentication), `background` otherwise;
   * `undefined` if Plaid did not say.
   */
  updateType?: ItemUpdateType;
}

/** Whether Plaid can update an Item in the background, or only with the user present. */
export type ItemUpdateType = 'background' | 'user_present_required';

/** The app's platform, which decides how Link returns from a bank's OAuth page. */
export type LinkPlatform = 'ios' | 'android' | 'web';

/** What a Link token is for: a new link, or update mode for the Item of `accessToken`. */
export interface LinkTokenRequest {
  userId: string;
  /** Update mode for this Item (no products, no webhook: Plaid ignores it there). */
  accessToken?: string;
  /**
   * `android` sends the configured `android_package_name`, `ios`/`web` the configured
   * `redirect_uri` (Plaid needs one of them for OAuth institutions on mobile).
   */
  platform?: LinkPlatform;
  /** Update mode with Account Select (`update.account_selection_enabled`). */
  accountSelection?: boolean;
}

/** One Item a Link session added, as Plaid's `/link/token/get` reports it. */
export interface LinkSessionItemAdd {
  publicToken: string;
  institutionId: string | undefined;
  institutionName: string | undefined;
  /** The masks of the accounts the user shared. */
  accountMasks: string[];
}

/** A Link session opened with a link token (`/link/token/get`'s `link_sessions`). */
export interface LinkSessionSummary {
  linkSessionId: string;
  itemAdds: LinkSessionItemAdd[];
}

/**
 * Plaid, as this service uses it. Every method fails with a `PlaidRequestError` (code
 * `PLAID_REQUEST_FAILED`) carrying Plaid's `error_code`, or `PLAID_UNREACHABLE` when Plaid was not
 * reached.
 */
export interface PlaidGateway {
  /** A Link token: new-link, or update mode for the Item of `accessToken`. */
  createLinkToken(input: LinkTokenRequest): Promise<{ linkToken: string; expiration: string }>;
  /** The Link sessions of a link token and the public tokens they produced (`/link/token/get`). */
  getLinkSessions(linkToken: string): Promise<LinkSessionSummary[]>;
  exchangePublicToken(publicToken: string): Promise<{ accessToken: string; itemId: string }>;
  getItem(accessToken: string): Promise<PlaidItemSnapshot>;
  removeItem(accessToken: string): Promise<void>;
  /** Points an Item's webhooks at `url` (`/item/webhook/update`). */
  updateWebhook(accessToken: string, url: string): Promise<void>;
  /**
   * What Plaid says about an institution's item logins (`/institutions/get_by_id` with
   * `include_status`): `healthy`, `degraded` or `down`; `undefined` if Plaid does not say.
   */
  institutionStatus(institutionId: string): Promise<InstitutionStatus | undefined>;
  /** A webhook verification key by `kid` (`/webhook_verification_key/get`). */
  webhookVerificationKey(kid: string): Promise<{ jwk: Record<string, unknown>; expiredAt: number | null }>;
}
