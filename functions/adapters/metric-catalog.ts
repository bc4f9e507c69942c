/**
 * The operational metrics: one name and one dimension set each, shared by the code that emits
 * them (Powertools Metrics, as CloudWatch EMF) and the dashboard that shows them, so the two
 * cannot drift. Every metric also carries Powertools' `service` dimension.
 */
export const METRICS_NAMESPACE = 'LinkGuard';
export const METRICS_SERVICE = 'linkguard';

export const METRIC = {
  /** A sign-in attempt by way in (`Method`: password, sms, wechat, qq, apple, google) and `Outcome` (`succeeded` or the refusal's code). */
  signIn: { name: 'SignIn', dimensions: ['Method', 'Outcome'] },
  /** A new account, by way in. */
  signUp: { name: 'SignUp', dimensions: ['Method'] },
  /** A username's password sign-in became locked. */
  lockout: { name: 'Lockout', dimensions: [] },
  /** A password sign-in failed for a username with no account: a rise is credential stuffing. */
  unknownUsernameLogin: { name: 'UnknownUsernameLogin', dimensions: [] },
  /** A replayed refresh token revoked its session. */
  refreshTokenReuse: { name: 'RefreshTokenReuse', dimensions: [] },
  /** A sign-in code texted (`sent`) or refused (`SMS_RATE_LIMITED`, `COUNTRY_NOT_ALLOWED`, `INVALID_PHONE`, `SMS_UNAVAILABLE`, …). */
  smsCode: { name: 'SmsCode', dimensions: ['Outcome'] },
  /** A poller check of an Item: `changed`, `unchanged`, `skipped` (not due or gone) or `failed` (retried by SQS). */
  itemCheck: { name: 'ItemCheck', dimensions: ['Outcome'] },
  /** The status an Item was found in by a check: over one poll period, the Items by status. */
  checkedItemStatus: { name: 'CheckedItemStatus', dimensions: ['Status'] },
  /** An alert sent to a user, by `Channel` (`sms`, `topic` — email and other topic consumers). */
  alertSent: { name: 'AlertSent', dimensions: ['Channel'] },
  /** Plaid refused our own configuration (`Code`: `INVALID_API_KEYS`, `INVALID_ACCESS_TOKEN`, …); no Item was changed. */
  plaidOperatorFault: { name: 'PlaidOperatorFault', dimensions: ['Code'] },
  /** The poller's circuit breaker tripped, or the dispatcher skipped a run because the poller is paused. */
  pollerPaused: { name: 'PollerPaused', dimensions: [] },
  /** A security notice to a user by `Kind` (`new_device_sign_in`, `password_changed`, …) and `Outcome` (`sent`, or `failed` after its retry: the change stands, the notice is lost). */
  securityNotice: { name: 'SecurityNotice', dimensions: ['Kind', 'Outcome'] },
  /** A processed Plaid webhook, by `Outcome` (`applied`, `not_confirmed`, `deferred`, …). */
  plaidWebhook: { name: 'PlaidWebhook', dimensions: ['Outcome'] },
} as const satisfies Record<string, { name: string; dimensions: readonly string[] }>;

export type MetricKey = keyof typeof METRIC;
