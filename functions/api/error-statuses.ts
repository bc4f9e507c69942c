import type { ErrorCode, InternalErrorCode, PublicErrorCode } from '../domain/errors';

/**
 * The HTTP status of each public error code. One table, so a code always means one status.
 * Internal codes are answered as the public code {@link ANSWERED_AS} gives them.
 */
export const STATUS_OF: Record<PublicErrorCode, number> = {
  VALIDATION_FAILED: 422,
  MALFORMED_BODY: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  MALFORMED_PATH: 400,
  USERNAME_TAKEN: 409,
  PASSWORD_TOO_COMMON: 422,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_LOCKED: 429,
  INVALID_TOKEN: 401,
  NOT_FOUND: 404,
  INVALID_GRANT: 400,
  INVALID_REQUEST: 400,
  UNSUPPORTED_GRANT_TYPE: 400,
  SERVICE_UNAVAILABLE: 503,
  INVALID_PHONE: 422,
  COUNTRY_NOT_ALLOWED: 403,
  SMS_RATE_LIMITED: 429,
  SMS_UNAVAILABLE: 503,
  INVALID_CODE: 401,
  TOO_MANY_ATTEMPTS: 429,
  IDENTITY_IN_USE: 409,
  IDENTITY_TYPE_TAKEN: 409,
  REAUTH_REQUIRED: 401,
  LAST_IDENTITY: 409,
  PROVIDER_REJECTED: 401,
  PROVIDER_UNAVAILABLE: 502,
  PROVIDER_NOT_CONFIGURED: 503,
  // 503 + Retry-After: Plaid rate-limited, down or slow is "try again", never a verdict (api.md).
  PLAID_UNAVAILABLE: 503,
  PLAID_NOT_CONFIGURED: 503,
  INSTITUTION_ALREADY_LINKED: 409,
  LINK_TOKEN_MISMATCH: 403,
  STILL_BROKEN: 409,
  RELINK_REQUIRED: 409,
  INVALID_WEBHOOK_SIGNATURE: 401,
  INVALID_APPLE_NOTIFICATION: 401,
  CONFLICT: 409,
  NO_PASSWORD_IDENTITY: 404,
  PHONE_REVERIFY_REQUIRED: 409,
  EMAIL_RATE_LIMITED: 429,
  INVALID_LINK: 401,
  INTERNAL: 500,
};

/**
 * The public code each internal error is answered with. Its message is never shown: the answer
 * carries the public code's generic detail, and the error itself goes to the log.
 */
export const ANSWERED_AS: Record<InternalErrorCode, PublicErrorCode> = {
  CONFIG_INVALID: 'INTERNAL',
  SECRET_INVALID: 'INTERNAL',
  CIPHERTEXT_INVALID: 'INTERNAL',
  QUEUE_REFUSED: 'INTERNAL',
  DELETION_NOT_READY: 'INTERNAL',
  INVARIANT_BROKEN: 'INTERNAL',
  PLAID_REQUEST_FAILED: 'PLAID_UNAVAILABLE',
};

/** The public code and status an error code is answered with, and whether its message may be shown. */
export function answerFor(code: ErrorCode): {
  code: PublicErrorCode;
  status: number;
  exposeMessage: boolean;
} {
  if (code in ANSWERED_AS) {
    const shown = ANSWERED_AS[code as InternalErrorCode];
    return { code: shown, status: STATUS_OF[shown], exposeMessage: false };
  }
  const shown = code as PublicErrorCode;
  return { code: shown, status: STATUS_OF[shown], exposeMessage: shown !== 'INTERNAL' };
}
