import { randomInt } from 'node:crypto';
import { type PlaidError, PlaidErrorType, Products } from 'plaid';

/** The client id and secret the Plaid emulator accepts unless told otherwise. */
export const EMULATED_PLAID = {
  clientId: 'linkguard-local-plaid-client',
  secret: 'linkguard-local-plaid-secret',
} as const;

export interface SandboxInstitution {
  institutionId: string;
  name: string;
  products: Products[];
}

const EVERYTHING = [
  Products.Assets,
  Products.Auth,
  Products.Balance,
  Products.Identity,
  Products.Investments,
  Products.Liabilities,
  Products.Transactions,
];

/** A few of Plaid's Sandbox institutions (non-OAuth ones). */
export const SANDBOX_INSTITUTIONS: readonly SandboxInstitution[] = [
  { institutionId: 'ins_109508', name: 'First Platypus Bank', products: EVERYTHING },
  { institutionId: 'ins_109509', name: 'First Gingham Credit Union', products: EVERYTHING },
  { institutionId: 'ins_109510', name: 'Tattersall Federal Credit Union', products: EVERYTHING },
  { institutionId: 'ins_109511', name: 'Tartan Bank', products: EVERYTHING },
  { institutionId: 'ins_109512', name: 'Houndstooth Bank', products: EVERYTHING },
];

type Entry = readonly [type: PlaidErrorType, status: number, message: string, display: string | null];
const T = PlaidErrorType;
const DOWN = 'this institution is not currently responding to this request. please try again soon';
const DOWN_DISPLAY =
  'This financial institution is not currently responding to requests. We apologize for the inconvenience.';

/**
 * Errors an Item can be put into (`POST /emulator/items/{id}/error`), with Plaid's error type,
 * HTTP status and wording. ITEM_ERROR codes show in `/item/get`'s `item.error` (HTTP 200); the
 * others make `/item/get` answer the envelope with its status.
 */
export const ITEM_ERRORS: Readonly<Record<string, Entry>> = {
  ITEM_LOGIN_REQUIRED: [
    T.ItemError,
    400,
    "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
    null,
  ],
  ITEM_LOCKED: [
    T.ItemError,
    400,
    "the account is locked. prompt the user to visit the institution's site and unlock their account",
    "The given credentials belong to a locked account. Please reset your credentials at your financial institution's website and try again.",
  ],
  USER_SETUP_REQUIRED: [
    T.ItemError,
    400,
    "the account has not been fully set up. prompt the user to visit the issuing institution's site and finish the setup process",
    "The given account is not fully setup. Please visit your financial institution's website to setup your account.",
  ],
  PASSWORD_RESET_REQUIRED: [
    T.ItemError,
    400,
    "the account requires a password reset. prompt the user to visit the institution's site and reset their password",
    'The given account requires a password reset. Please reset your password at your financial institution and try again.',
  ],
  NO_ACCOUNTS: [
    T.ItemError,
    400,
    'no valid accounts were found for this item',
    "No valid accounts were found at the financial institution. Please visit your financial institution's website to confirm accounts are available.",
  ],
  ACCESS_NOT_GRANTED: [
    T.ItemError,
    400,
    'access to this product was not granted for the account',
    'The user did not grant the necessary permissions for this product on their account.',
  ],
  USER_PERMISSION_REVOKED: [
    T.ItemError,
    400,
    'the holder of this account has revoked their permission for your application to access it',
    'The holder of this account has revoked their permission for your application to access it.',
  ],
  INVALID_UPDATED_USERNAME: [
    T.ItemError,
    400,
    'the username provided in update mode did not match the original username for the item',
    null,
  ],
  MFA_NOT_SUPPORTED: [
    T.ItemError,
    400,
    'this account requires a form of MFA that is not currently supported',
    'The multi-factor security features enabled on this account are not currently supported for this financial institution.',
  ],
  INSTITUTION_DOWN: [T.InstitutionError, 400, DOWN, DOWN_DISPLAY],
  INSTITUTION_NOT_RESPONDING: [T.InstitutionError, 400, DOWN, DOWN_DISPLAY],
  INSTITUTION_NOT_AVAILABLE: [T.InstitutionError, 400, DOWN, DOWN_DISPLAY],
  INSTITUTION_NO_LONGER_SUPPORTED: [
    T.InstitutionError,
    400,
    'this institution is no longer supported',
    'This financial institution is no longer supported. We apologize for the inconvenience.',
  ],
  INTERNAL_SERVER_ERROR: [T.ApiError, 500, 'an unexpected error occurred', null],
  PLANNED_MAINTENANCE: [
    T.ApiError,
    503,
    'the Plaid API is temporarily unavailable due to planned maintenance. visit https://status.plaid.com/ for more information',
    'The Plaid API is temporarily unavailable due to planned maintenance.',
  ],
  ITEM_GET_LIMIT: [
    T.RateLimitExceeded,
    429,
    'rate limit exceeded for attempts to access this item. please try again later',
    null,
  ],
};

/** Errors about the request itself (never an Item's state). */
const REQUEST_ERRORS: Readonly<Record<string, Entry>> = {
  INVALID_API_KEYS: [T.InvalidInput, 400, 'invalid client_id or secret provided', null],
  INVALID_ACCESS_TOKEN: [T.InvalidInput, 400, 'could not find matching access token', null],
  INVALID_PUBLIC_TOKEN: [T.InvalidInput, 400, 'could not find matching public token', null],
  INVALID_LINK_TOKEN: [T.InvalidInput, 400, 'invalid link_token provided', null],
  INVALID_INSTITUTION: [T.InvalidInput, 400, 'invalid institution_id provided', null],
  INVALID_WEBHOOK_VERIFICATION_KEY_ID: [T.InvalidInput, 400, 'invalid key_id provided', null],
  ITEM_NOT_FOUND: [
    T.ItemError,
    400,
    'The Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.',
    null,
  ],
  MISSING_FIELDS: [T.InvalidRequest, 400, 'the following required fields are missing', null],
  INVALID_FIELD: [T.InvalidRequest, 400, 'a field has an invalid value', null],
  INVALID_BODY: [T.InvalidRequest, 400, 'body could not be parsed as JSON', null],
  NOT_FOUND: [T.InvalidRequest, 404, 'not found', null],
  SANDBOX_WEBHOOK_INVALID: [
    T.SandboxError,
    400,
    'the webhook for this item is either not set or not a valid URL',
    null,
  ],
};

const SLUGS: Partial<Record<PlaidErrorType, string>> = {
  [T.ItemError]: 'item',
  [T.InstitutionError]: 'institution',
  [T.ApiError]: 'api',
  [T.InvalidRequest]: 'invalid-request',
  [T.InvalidInput]: 'invalid-input',
  [T.RateLimitExceeded]: 'rate-limit-exceeded',
  [T.SandboxError]: 'sandbox',
};

/** Plaid's error object, every field present, exactly as the API answers it. */
export type PlaidErrorEnvelope = Required<
  Pick<
    PlaidError,
    | 'error_type'
    | 'error_code'
    | 'error_code_reason'
    | 'error_message'
    | 'display_message'
    | 'request_id'
    | 'causes'
    | 'status'
    | 'documentation_url'
    | 'suggested_action'
  >
> & { status: number };

/** Plaid's envelope for `code` (a catalogued code); `message` replaces the stock wording. */
export function plaidError(code: string, requestId: string, message?: string): PlaidErrorEnvelope {
  const entry = ITEM_ERRORS[code] ?? REQUEST_ERRORS[code];
  if (entry === undefined) throw new Error(`no such Plaid error in the emulator: ${code}`);
  const [type, status, stock, display] = entry;
  return {
    error_type: type,
    error_code: code,
    error_code_reason: null,
    error_message: message ?? stock,
    display_message: display,
    request_id: requestId,
    causes: [],
    status,
    documentation_url: `https://plaid.com/docs/errors/${SLUGS[type] ?? 'index'}/#${code.toLowerCase()}`,
    suggested_action: null,
  };
}

/** Whether an injected error breaks the Item itself (shown in `item.error`, with a webhook). */
export const isItemError = (code: string) => ITEM_ERRORS[code]?.[0] === T.ItemError;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** A request id shaped like Plaid's (15 alphanumerics). */
export const newRequestId = () =>
  Array.from({ length: 15 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

/** ISO-8601 without milliseconds, as Plaid writes times. */
export const plaidTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
