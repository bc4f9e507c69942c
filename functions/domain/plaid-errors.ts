import type { ItemStatus } from './item-status';

/** What a Plaid error means for us. */
export type PlaidErrorCategory =
  /** The user must go through Link's update mode. */
  | 'reauth'
  /** The user must do something at the bank first (unlock, reset a password), then reconnect. */
  | 'act_at_bank'
  /** Plaid or the bank is having a bad moment: retry later, never alert. */
  | 'transient'
  /** Plaid is limiting us: change nothing, retry later. */
  | 'rate_limited'
  /**
   * Our own configuration is wrong (wrong environment, rotated secret, a token of another
   * client): says nothing about the user's Item, so it never changes one. Operators are told.
   */
  | 'operator'
  /** The Item is gone: only a new link helps. */
  | 'permanent';

/** How an Item in trouble can be repaired: Link's update mode, or only a new link. */
export type RepairMode = 'update' | 'relink';

const REAUTH: Record<string, ItemStatus> = {
  ITEM_LOGIN_REQUIRED: 'login_required',
  PENDING_EXPIRATION: 'pending_expiration',
  PENDING_DISCONNECT: 'pending_disconnect',
  USER_PERMISSION_REVOKED: 'revoked',
  ACCESS_NOT_GRANTED: 'login_required',
  NO_ACCOUNTS: 'login_required',
  INVALID_UPDATED_USERNAME: 'login_required',
};
const ACT_AT_BANK = new Set([
  'ITEM_LOCKED',
  'USER_SETUP_REQUIRED',
  'PASSWORD_RESET_REQUIRED',
  'MFA_NOT_SUPPORTED',
]);
const TRANSIENT = new Set([
  'INTERNAL_SERVER_ERROR',
  'PLANNED_MAINTENANCE',
  'PRODUCT_NOT_READY',
  'PLAID_UNREACHABLE',
]);
const PERMANENT = new Set(['ITEM_NOT_FOUND', 'INSTITUTION_NO_LONGER_SUPPORTED']);
/** Errors of our own configuration or requests (Plaid's INVALID_REQUEST / INVALID_INPUT kinds). */
const OPERATOR = new Set([
  'INVALID_ACCESS_TOKEN',
  'INVALID_API_KEYS',
  'UNAUTHORIZED_ENVIRONMENT',
  'INVALID_PRODUCT',
  'INVALID_FIELD',
  'MISSING_FIELDS',
  'INVALID_BODY',
  'INVALID_HEADERS',
  'UNAUTHORIZED_ROUTE_ACCESS',
  'INVALID_CLIENT_ID',
  'INVALID_SECRET',
]);
/**
 * Codes after which update mode cannot work: Plaid refuses an update-mode link token for them,
 * so the only way back is a new link at the same institution (which replaces the Item).
 */
const RELINK = new Set(['USER_PERMISSION_REVOKED', 'ITEM_NOT_FOUND', 'INSTITUTION_NO_LONGER_SUPPORTED']);

/** A Plaid error code, classified, with the Item status it leads to (none for transient ones). */
export interface PlaidErrorClass {
  category: PlaidErrorCategory;
  status: ItemStatus | undefined;
  /** False for codes we have never heard of: the caller logs them. */
  known: boolean;
}

/**
 * Classifies a Plaid `error_code` — never the HTTP status: institution outages are HTTP 400.
 * Unknown codes are transient, never healthy: Plaid adds codes, and guessing "fine" would hide
 * a broken Item. `USER_ACCOUNT_REVOKED` is not here: it concerns one account, not the Item.
 *
 * @example
 * classifyPlaidError('ITEM_LOGIN_REQUIRED') // { category: 'reauth', status: 'login_required', known: true }
 * classifyPlaidError('INVALID_ACCESS_TOKEN') // { category: 'operator', status: undefined, known: true }
 */
export function classifyPlaidError(code: string): PlaidErrorClass {
  const reauth = REAUTH[code];
  if (reauth !== undefined) return { category: 'reauth', status: reauth, known: true };
  if (ACT_AT_BANK.has(code)) return { category: 'act_at_bank', status: 'login_required', known: true };
  // Plaid's rate limits answer `error_type: RATE_LIMIT_EXCEEDED` with codes like ITEM_GET_LIMIT.
  if (code === 'RATE_LIMIT_EXCEEDED' || code.endsWith('_LIMIT'))
    return { category: 'rate_limited', status: undefined, known: true };
  if (OPERATOR.has(code)) return { category: 'operator', status: undefined, known: true };
  if (PERMANENT.has(code)) return { category: 'permanent', status: 'not_found', known: true };
  if (TRANSIENT.has(code) || code.startsWith('INSTITUTION_'))
    return { category: 'transient', status: 'error', known: true };
  return { category: 'transient', status: 'error', known: false };
}

/**
 * How an Item with this status and Plaid error can be repaired, if it needs repair at all:
 * `relink` when update mode cannot work (revoked permission, an Item Plaid no longer has).
 *
 * @example
 * repairModeFor('revoked', 'USER_PERMISSION_REVOKED') // 'relink'
 * repairModeFor('login_required', 'ITEM_LOGIN_REQUIRED') // 'update'
 */
export function repairModeFor(status: ItemStatus, errorCode: string | undefined): RepairMode | undefined {
  if (status === 'healthy' || status === 'error') return undefined;
  if (status === 'revoked' || status === 'not_found') return 'relink';
  return errorCode !== undefined && RELINK.has(errorCode) ? 'relink' : 'update';
}
