/**
 * Every error code the API can answer with. Stable: clients switch on these, so a code is never
 * renamed or reused. `docs/errors.md` documents each one.
 */
export type PublicErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_BODY'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'MALFORMED_PATH'
  | 'USERNAME_TAKEN'
  | 'PASSWORD_TOO_COMMON'
  | 'INVALID_CREDENTIALS'
  | 'ACCOUNT_LOCKED'
  | 'INVALID_TOKEN'
  | 'NOT_FOUND'
  | 'INVALID_GRANT'
  | 'INVALID_REQUEST'
  | 'UNSUPPORTED_GRANT_TYPE'
  | 'SERVICE_UNAVAILABLE'
  | 'INVALID_PHONE'
  | 'COUNTRY_NOT_ALLOWED'
  | 'SMS_RATE_LIMITED'
  | 'SMS_UNAVAILABLE'
  | 'INVALID_CODE'
  | 'TOO_MANY_ATTEMPTS'
  | 'IDENTITY_IN_USE'
  | 'LAST_IDENTITY'
  | 'PROVIDER_REJECTED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_NOT_CONFIGURED'
  | 'PLAID_UNAVAILABLE'
  | 'PLAID_NOT_CONFIGURED'
  | 'INSTITUTION_ALREADY_LINKED'
  | 'LINK_TOKEN_MISMATCH'
  | 'STILL_BROKEN'
  | 'RELINK_REQUIRED'
  | 'INVALID_WEBHOOK_SIGNATURE'
  | 'INVALID_APPLE_NOTIFICATION'
  | 'CONFLICT'
  | 'IDENTITY_TYPE_TAKEN'
  | 'REAUTH_REQUIRED'
  | 'NO_PASSWORD_IDENTITY'
  | 'PHONE_REVERIFY_REQUIRED'
  | 'EMAIL_RATE_LIMITED'
  | 'INVALID_LINK'
  | 'INTERNAL';

/**
 * Codes of errors that never reach a client as themselves: the HTTP layer answers each with the
 * public code that stands for it (`http/problem.ts`), and logs it.
 */
export type InternalErrorCode =
  /** The environment is missing or has a bad variable. */
  | 'CONFIG_INVALID'
  /** A secret or key (signing keys, pepper, token key) is malformed. */
  | 'SECRET_INVALID'
  /** A stored ciphertext is not one of ours for this record. */
  | 'CIPHERTEXT_INVALID'
  /** A Plaid call failed with Plaid's envelope, or never reached Plaid. */
  | 'PLAID_REQUEST_FAILED'
  /** The queue refused messages after retries. */
  | 'QUEUE_REFUSED'
  /** Deletion work arrived before its account's deletion was written: tried again later. */
  | 'DELETION_NOT_READY'
  /** Something our own code relies on did not hold: a bug or a broken deployment. */
  | 'INVARIANT_BROKEN';

/** The one union of every code an error of this service carries. Switch on it, never on `name`. */
export type ErrorCode = PublicErrorCode | InternalErrorCode;

/** One field that failed validation, with a JSON-ish path (`password`, `items.0.id`). */
export interface FieldError {
  path: string;
  message: string;
}

interface AppErrorOptions {
  cause?: unknown;
  /** Seconds the client should wait before trying again (429/503). */
  retryAfterSeconds?: number;
  /** Per-field problems, for VALIDATION_FAILED. */
  errors?: FieldError[];
  /** Extra members to put in the problem body (never secrets). */
  extensions?: Record<string, unknown>;
}

/**
 * The base of every error this service raises on purpose. Callers switch on `code`, never on
 * `name` or the message text. The message is written for humans and may be shown to clients
 * for 4xx codes; it must never contain a secret.
 *
 * @example
 * throw new AppError('NOT_FOUND', 'No such session.');
 */
export class AppError extends Error {
  /** The code of errors made with `new AppError(code, …)` directly; subclasses narrow it. */
  static readonly code: ErrorCode = 'INTERNAL';
  readonly code: ErrorCode;
  readonly retryAfterSeconds: number | undefined;
  readonly errors: FieldError[] | undefined;
  readonly extensions: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.errors = options.errors;
    this.extensions = options.extensions;
  }
}

/** Input that does not match the contract. Raised by schema validation and domain rules alike. */
export class ValidationFailedError extends AppError {
  static override readonly code = 'VALIDATION_FAILED' as const;
  override readonly code = 'VALIDATION_FAILED' as const;
  constructor(errors: FieldError[], message = 'The request has invalid fields.') {
    super(ValidationFailedError.code, message, { errors });
  }
}

/** A wrong username or password. Deliberately the same for an unknown username. */
export class InvalidCredentialsError extends AppError {
  static override readonly code = 'INVALID_CREDENTIALS' as const;
  override readonly code = 'INVALID_CREDENTIALS' as const;
  constructor() {
    super(InvalidCredentialsError.code, 'The username or password is wrong.');
  }
}

/** Password login for this username is locked for a while after too many failures. */
export class AccountLockedError extends AppError {
  static override readonly code = 'ACCOUNT_LOCKED' as const;
  override readonly code = 'ACCOUNT_LOCKED' as const;
  constructor(retryAfterSeconds: number) {
    super(AccountLockedError.code, 'Too many failed sign-ins. Try again later.', { retryAfterSeconds });
  }
}

/** A username already belongs to an account. */
export class UsernameTakenError extends AppError {
  static override readonly code = 'USERNAME_TAKEN' as const;
  override readonly code = 'USERNAME_TAKEN' as const;
  constructor(cause?: unknown) {
    super(UsernameTakenError.code, 'That username is taken.', { cause });
  }
}

/** An OAuth grant (refresh token, authorization code) that is unknown, used, expired or revoked. */
export class InvalidGrantError extends AppError {
  static override readonly code = 'INVALID_GRANT' as const;
  override readonly code = 'INVALID_GRANT' as const;
  constructor(message = 'The grant is invalid, expired or revoked.') {
    super(InvalidGrantError.code, message);
  }
}

/** The thing asked for does not exist, or is not the caller's to see. */
export class NotFoundError extends AppError {
  static override readonly code = 'NOT_FOUND' as const;
  override readonly code = 'NOT_FOUND' as const;
  constructor(message = 'Not found.') {
    super(NotFoundError.code, message);
  }
}

/** An access token that is missing, malformed, expired or not ours. */
export class InvalidTokenError extends AppError {
  static override readonly code = 'INVALID_TOKEN' as const;
  override readonly code = 'INVALID_TOKEN' as const;
  constructor(message = 'The access token is missing, invalid or expired.', cause?: unknown) {
    super(InvalidTokenError.code, message, { cause });
  }
}

/**
 * A sensitive operation with an access token whose `auth_time` is too old (RFC 9470): the user
 * proves a way in again with `POST /v1/auth/reauth`, then retries.
 */
export class ReauthRequiredError extends AppError {
  static override readonly code = 'REAUTH_REQUIRED' as const;
  override readonly code = 'REAUTH_REQUIRED' as const;
  constructor(readonly maxAgeSeconds: number) {
    super(ReauthRequiredError.code, 'This change needs a recent sign-in. Sign in again, then retry.', {
      extensions: { maxAge: maxAgeSeconds },
    });
  }
}

/** A phone + code pair that does not match a live code. */
export class InvalidCodeError extends AppError {
  static override readonly code = 'INVALID_CODE' as const;
  override readonly code = 'INVALID_CODE' as const;
  constructor() {
    super(InvalidCodeError.code, 'The code is wrong or has expired.');
  }
}

/** An identity (phone, username, provider subject) that belongs to another account. */
export class IdentityInUseError extends AppError {
  static override readonly code = 'IDENTITY_IN_USE' as const;
  override readonly code = 'IDENTITY_IN_USE' as const;
  constructor(cause?: unknown) {
    super(IdentityInUseError.code, 'That sign-in method belongs to another account.', { cause });
  }
}

/**
 * The user already has a sign-in method of this type (one username, one phone, one account per
 * provider), e.g. one linked by a racing request.
 */
export class IdentityTypeTakenError extends AppError {
  static override readonly code = 'IDENTITY_TYPE_TAKEN' as const;
  override readonly code = 'IDENTITY_TYPE_TAKEN' as const;
  constructor(cause?: unknown) {
    super(IdentityTypeTakenError.code, 'This account already has a sign-in method of that type.', { cause });
  }
}

/** The identity provider said no: a bad, expired or foreign credential. */
export class ProviderRejectedError extends AppError {
  static override readonly code = 'PROVIDER_REJECTED' as const;
  override readonly code = 'PROVIDER_REJECTED' as const;
  constructor(reason: string, cause?: unknown) {
    super(ProviderRejectedError.code, `The sign-in provider refused the credential: ${reason}`, { cause });
  }
}

/** The identity provider is down, slow or answering nonsense. */
export class ProviderUnavailableError extends AppError {
  static override readonly code = 'PROVIDER_UNAVAILABLE' as const;
  override readonly code = 'PROVIDER_UNAVAILABLE' as const;
  constructor(provider: string, cause?: unknown) {
    super(ProviderUnavailableError.code, `${provider} did not answer in time. Try again.`, {
      cause,
      retryAfterSeconds: 5,
    });
  }
}

/** A write that lost a race with another change to the same records, after bounded retries. */
export class ConflictError extends AppError {
  static override readonly code = 'CONFLICT' as const;
  override readonly code = 'CONFLICT' as const;
  constructor(cause?: unknown) {
    super(ConflictError.code, 'The data changed while the request ran. Try again.', {
      cause,
      retryAfterSeconds: 1,
    });
  }
}

/** A dependency (the table, a queue) throttled or failed after the SDK's retries. */
export class ServiceUnavailableError extends AppError {
  static override readonly code = 'SERVICE_UNAVAILABLE' as const;
  override readonly code = 'SERVICE_UNAVAILABLE' as const;
  constructor(cause?: unknown, retryAfterSeconds = 2) {
    super(ServiceUnavailableError.code, 'The service is busy. Try again shortly.', {
      cause,
      retryAfterSeconds,
    });
  }
}

/** The environment is missing a variable or has a bad one; the message names every one. */
export class ConfigError extends AppError {
  static override readonly code = 'CONFIG_INVALID' as const;
  override readonly code = 'CONFIG_INVALID' as const;
  constructor(message: string) {
    super(ConfigError.code, message);
  }
}

/** A secret or key that is there but malformed (never includes the value). */
export class SecretInvalidError extends AppError {
  static override readonly code = 'SECRET_INVALID' as const;
  override readonly code = 'SECRET_INVALID' as const;
  constructor(message: string) {
    super(SecretInvalidError.code, message);
  }
}

/** A stored ciphertext that does not decrypt for its record. */
export class CiphertextInvalidError extends AppError {
  static override readonly code = 'CIPHERTEXT_INVALID' as const;
  override readonly code = 'CIPHERTEXT_INVALID' as const;
  constructor(message: string, cause?: unknown) {
    super(CiphertextInvalidError.code, message, { cause });
  }
}

/**
 * A Plaid call that failed with Plaid's envelope (or never reached Plaid: `PLAID_UNREACHABLE`).
 * Callers classify it by `plaidCode`, never by HTTP status.
 */
export class PlaidRequestError extends AppError {
  static override readonly code = 'PLAID_REQUEST_FAILED' as const;
  override readonly code = 'PLAID_REQUEST_FAILED' as const;
  constructor(
    readonly plaidCode: string,
    readonly plaidType: string,
    readonly httpStatus: number | undefined,
    message: string,
  ) {
    super(PlaidRequestError.code, message);
  }
}

/** A webhook whose signature is not Plaid's; the message says why (for the log). */
export class WebhookRejectedError extends AppError {
  static override readonly code = 'INVALID_WEBHOOK_SIGNATURE' as const;
  override readonly code = 'INVALID_WEBHOOK_SIGNATURE' as const;
  constructor(reason: string) {
    super(WebhookRejectedError.code, `Webhook rejected: ${reason}`);
  }
}

/** A server-to-server notification that is not Apple's, or not for us; the message says why (for the log). */
export class AppleNotificationRejectedError extends AppError {
  static override readonly code = 'INVALID_APPLE_NOTIFICATION' as const;
  override readonly code = 'INVALID_APPLE_NOTIFICATION' as const;
  constructor(reason: string) {
    super(AppleNotificationRejectedError.code, `Notification rejected: ${reason}`);
  }
}

/** The queue refused some messages after retries. */
export class QueueRefusedError extends AppError {
  static override readonly code = 'QUEUE_REFUSED' as const;
  override readonly code = 'QUEUE_REFUSED' as const;
  constructor(message: string) {
    super(QueueRefusedError.code, message);
  }
}

/** Deletion work for an account whose deletion is not (yet) written: the queue tries it again. */
export class DeletionNotReadyError extends AppError {
  static override readonly code = 'DELETION_NOT_READY' as const;
  override readonly code = 'DELETION_NOT_READY' as const;
  constructor(userId: string) {
    super(DeletionNotReadyError.code, `Account ${userId} is not deleted yet.`);
  }
}

/** Something our own code relies on did not hold: a bug, or a broken deployment. */
export class InvariantError extends AppError {
  static override readonly code = 'INVARIANT_BROKEN' as const;
  override readonly code = 'INVARIANT_BROKEN' as const;
  constructor(message: string, cause?: unknown) {
    super(InvariantError.code, message, { cause });
  }
}

/** Whether `error` is an {@link AppError} with `code`: the way callers test errors. */
export function hasCode<C extends ErrorCode>(error: unknown, code: C): error is AppError & { code: C } {
  return error instanceof AppError && error.code === code;
}

/**
 * This deployment has no working Plaid credentials (`PLAID_CLIENT_ID` unset, or Plaid refuses
 * the secret with `INVALID_API_KEYS`): the routes that need Plaid answer 503.
 */
export class PlaidNotConfiguredError extends AppError {
  static override readonly code = 'PLAID_NOT_CONFIGURED' as const;
  override readonly code = 'PLAID_NOT_CONFIGURED' as const;
  constructor(cause?: unknown) {
    super(PlaidNotConfiguredError.code, 'Bank linking is not set up on this server.', { cause });
  }
}

/** A sign-in provider this deployment has no credentials for: 503, the operator's to fix. */
export class ProviderNotConfiguredError extends AppError {
  static override readonly code = 'PROVIDER_NOT_CONFIGURED' as const;
  override readonly code = 'PROVIDER_NOT_CONFIGURED' as const;
  constructor(provider: string) {
    super(ProviderNotConfiguredError.code, `${provider} sign-in is not set up on this server.`);
  }
}

/** The account has no username and password to reset. */
export class NoPasswordIdentityError extends AppError {
  static override readonly code = 'NO_PASSWORD_IDENTITY' as const;
  override readonly code = 'NO_PASSWORD_IDENTITY' as const;
  constructor() {
    super(
      NoPasswordIdentityError.code,
      'This account has no username and password; sign in the way you signed up.',
    );
  }
}

/** A mailed link that is unknown, already used, replaced by a newer one, or expired. */
export class InvalidLinkError extends AppError {
  static override readonly code = 'INVALID_LINK' as const;
  override readonly code = 'INVALID_LINK' as const;
  constructor() {
    super(InvalidLinkError.code, 'This link is invalid, used or expired. Ask for a new one.');
  }
}

/** An SMS code proved the number, but the number may have changed hands: prove one more way in. */
export class PhoneReverifyRequiredError extends AppError {
  static override readonly code = 'PHONE_REVERIFY_REQUIRED' as const;
  override readonly code = 'PHONE_REVERIFY_REQUIRED' as const;
  constructor(challenge: string, expiresIn: number, ways: string[]) {
    super(
      PhoneReverifyRequiredError.code,
      'This number has not signed in for a long time and may have a new owner. Prove another way into the account, or start a new account.',
      { extensions: { challenge, expiresIn, ways } },
    );
  }
}
