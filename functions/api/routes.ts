import type * as z from 'zod/mini';
import type { PublicErrorCode } from '../domain/errors';
import type { BodyFormat, ErrorFormat } from './formats';
import * as s from './schemas';

/**
 * One HTTP route's contract: path, method, auth, schemas, answers. What its function may use in
 * AWS (table actions, secrets, SMS, Plaid...) is deployment, in `manifest/function-manifest.ts`.
 */
export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `/v1/me/sessions/{sessionId}`. */
  path: string;
  /** File name in `functions/handlers/` without `.ts`. */
  handler: string;
  /** `user` routes sit behind the Lambda authorizer. */
  auth: 'public' | 'user';
  summary: string;
  body?: z.ZodMiniType;
  bodyFormats?: readonly BodyFormat[];
  query?: z.ZodMiniType;
  params?: z.ZodMiniType;
  errorFormat?: ErrorFormat;
  /**
   * A sensitive operation (api.md "Sensitive operations"): before the handler, the session is
   * read from the table (a revoked or signed-out one is 401 at once) and the token's `auth_time`
   * must be recent, else 401 REAUTH_REQUIRED. `true` for every request, or a rule naming which
   * requests are (and saying so, for the OpenAPI document).
   */
  sensitive?: true | SensitiveWhen;
  success: { status: number; description: string; schema?: z.ZodMiniType };
  errors: readonly PublicErrorCode[];
}

/** A route that is sensitive for some requests only. */
export interface SensitiveWhen {
  /** Whether this (validated) body makes a sensitive change. */
  when: (body: unknown) => boolean;
  /** Which requests, in words: "when it changes the email". */
  description: string;
}

const INPUT_ERRORS = [
  'VALIDATION_FAILED',
  'MALFORMED_BODY',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
] as const;

/**
 * The route table: the HTTP contract. The CDK stack makes one function and one API route from
 * each entry (granted what `manifest/function-manifest.ts` lists for it), the local server serves
 * each one, and `GET /openapi.json` describes each one.
 */
export const routes = {
  register: {
    method: 'POST',
    path: '/v1/auth/register',
    handler: 'register',
    auth: 'public',
    summary: 'Create an account with a username and password, and sign in.',
    body: s.RegisterBody,
    success: { status: 201, description: 'Signed in.', schema: s.TokenResponse },
    errors: [...INPUT_ERRORS, 'USERNAME_TAKEN', 'PASSWORD_TOO_COMMON'],
  },
  login: {
    method: 'POST',
    path: '/v1/auth/login',
    handler: 'login',
    auth: 'public',
    summary: 'Sign in with a username and password.',
    body: s.LoginBody,
    success: { status: 200, description: 'Signed in.', schema: s.TokenResponse },
    errors: [...INPUT_ERRORS, 'INVALID_CREDENTIALS', 'ACCOUNT_LOCKED'],
  },
  token: {
    method: 'POST',
    path: '/v1/oauth/token',
    handler: 'oauth-token',
    auth: 'public',
    summary: 'Exchange a refresh token (or an authorization code) for new tokens (RFC 6749).',
    body: s.TokenRequestBody,
    bodyFormats: ['form', 'json'],
    errorFormat: 'oauth',
    success: {
      status: 200,
      description: 'New tokens; the refresh token is rotated (the next of its family).',
      schema: s.OAuthTokenResponse,
    },
    errors: ['INVALID_GRANT', 'INVALID_REQUEST', 'UNSUPPORTED_GRANT_TYPE'],
  },
  logout: {
    method: 'POST',
    path: '/v1/auth/logout',
    handler: 'logout',
    auth: 'user',
    summary: "Sign out of this session, or of all the user's sessions.",
    body: s.LogoutBody,
    success: { status: 204, description: 'Signed out.' },
    errors: [...INPUT_ERRORS, 'INVALID_TOKEN'],
  },
  reauth: {
    method: 'POST',
    path: '/v1/auth/reauth',
    handler: 'reauth',
    auth: 'user',
    summary:
      'Prove the account again (password, SMS code or a linked provider): the same session gets a fresh auth_time.',
    body: s.ReauthBody,
    success: { status: 200, description: 'New tokens for the same session.', schema: s.TokenResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'INVALID_CREDENTIALS',
      'ACCOUNT_LOCKED',
      'INVALID_PHONE',
      'COUNTRY_NOT_ALLOWED',
      'INVALID_CODE',
      'TOO_MANY_ATTEMPTS',
      'PROVIDER_REJECTED',
      'PROVIDER_UNAVAILABLE',
      'PROVIDER_NOT_CONFIGURED',
    ],
  },
  me: {
    method: 'GET',
    path: '/v1/me',
    handler: 'me',
    auth: 'user',
    summary: 'The signed-in user.',
    success: { status: 200, description: 'The user.', schema: s.UserResponse },
    errors: ['INVALID_TOKEN', 'NOT_FOUND'],
  },
  listSessions: {
    method: 'GET',
    path: '/v1/me/sessions',
    handler: 'sessions-list',
    auth: 'user',
    summary: "The user's live sessions.",
    success: { status: 200, description: 'Sessions, newest first.', schema: s.SessionsResponse },
    errors: ['INVALID_TOKEN'],
  },
  deleteSession: {
    method: 'DELETE',
    path: '/v1/me/sessions/{sessionId}',
    handler: 'session-delete',
    auth: 'user',
    summary: 'End one of the user’s sessions.',
    params: s.SessionIdParams,
    success: { status: 204, description: 'Session ended.' },
    errors: ['INVALID_TOKEN', 'NOT_FOUND', 'VALIDATION_FAILED'],
  },
  listEvents: {
    method: 'GET',
    path: '/v1/me/events',
    handler: 'events-list',
    auth: 'user',
    summary: "The account's audit history, newest first.",
    query: s.CursorQuery,
    success: { status: 200, description: 'A page of events.', schema: s.EventsResponse },
    errors: ['INVALID_TOKEN', 'VALIDATION_FAILED'],
  },
  smsSend: {
    method: 'POST',
    path: '/v1/auth/sms/send',
    handler: 'sms-send',
    auth: 'public',
    summary: 'Text a six-digit sign-in code to a mobile phone.',
    body: s.PhoneBody,
    success: {
      status: 202,
      description: 'Sent (whether or not the phone has an account).',
      schema: s.SmsSentResponse,
    },
    errors: [...INPUT_ERRORS, 'INVALID_PHONE', 'COUNTRY_NOT_ALLOWED', 'SMS_RATE_LIMITED', 'SMS_UNAVAILABLE'],
  },
  smsVerify: {
    method: 'POST',
    path: '/v1/auth/sms/verify',
    handler: 'sms-verify',
    auth: 'public',
    summary: 'Sign in with a phone and the code texted to it; the first sign-in creates the account.',
    body: s.PhoneCodeBody,
    success: { status: 200, description: 'Signed in.', schema: s.SmsTokenResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_PHONE',
      'COUNTRY_NOT_ALLOWED',
      'INVALID_CODE',
      'TOO_MANY_ATTEMPTS',
      'PHONE_REVERIFY_REQUIRED',
    ],
  },
  smsReverify: {
    method: 'POST',
    path: '/v1/auth/sms/reverify',
    handler: 'sms-reverify',
    auth: 'public',
    summary:
      "Finish an SMS sign-in held for a dormant account: the account's password, or a new account that takes the number over.",
    body: s.ReverifyBody,
    success: { status: 200, description: 'Signed in.', schema: s.SmsTokenResponse },
    errors: [...INPUT_ERRORS, 'INVALID_CODE', 'INVALID_CREDENTIALS', 'ACCOUNT_LOCKED'],
  },
  social: {
    method: 'POST',
    path: '/v1/auth/social',
    handler: 'social-sign-in',
    auth: 'public',
    summary:
      'Sign in with WeChat, QQ, Apple or Google; answers a one-time code to exchange with the PKCE verifier.',
    body: s.SocialSignInBody,
    success: {
      status: 200,
      description: 'A code for /v1/oauth/token, valid 60 s.',
      schema: s.SocialSignInResponse,
    },
    errors: [...INPUT_ERRORS, 'PROVIDER_REJECTED', 'PROVIDER_UNAVAILABLE', 'PROVIDER_NOT_CONFIGURED'],
  },
  linkSocial: {
    method: 'POST',
    path: '/v1/me/identities/social',
    handler: 'me-identity-social',
    auth: 'user',
    summary: 'Link a WeChat, QQ, Apple or Google account to the signed-in user.',
    body: s.LinkSocialBody,
    sensitive: true,
    success: { status: 201, description: 'The user.', schema: s.UserResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'REAUTH_REQUIRED',
      'PROVIDER_REJECTED',
      'PROVIDER_UNAVAILABLE',
      'IDENTITY_IN_USE',
      'IDENTITY_TYPE_TAKEN',
      'PROVIDER_NOT_CONFIGURED',
    ],
  },
  updateMe: {
    method: 'PATCH',
    path: '/v1/me',
    handler: 'me-update',
    auth: 'user',
    summary: 'Change the display name, email or notification channels.',
    body: s.UpdateMeBody,
    sensitive: {
      when: (body) => (body as { email?: unknown }).email !== undefined,
      description: 'when it changes the email',
    },
    success: { status: 200, description: 'The user.', schema: s.UserResponse },
    errors: [...INPUT_ERRORS, 'INVALID_TOKEN', 'REAUTH_REQUIRED'],
  },
  setPassword: {
    method: 'PUT',
    path: '/v1/me/password',
    handler: 'me-password',
    auth: 'user',
    summary: 'Add a username and password to the account, or change the password.',
    body: s.SetPasswordBody,
    sensitive: true,
    success: { status: 204, description: 'Saved. A change signs out every other session.' },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'REAUTH_REQUIRED',
      'INVALID_CREDENTIALS',
      'ACCOUNT_LOCKED',
      'USERNAME_TAKEN',
      'IDENTITY_TYPE_TAKEN',
      'PASSWORD_TOO_COMMON',
    ],
  },
  linkPhone: {
    method: 'POST',
    path: '/v1/me/identities/phone',
    handler: 'me-identity-phone',
    auth: 'user',
    summary: 'Link a phone, proven by a texted code, to the account (replacing the old one).',
    body: s.PhoneCodeBody,
    sensitive: true,
    success: { status: 201, description: 'The user.', schema: s.UserResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'REAUTH_REQUIRED',
      'INVALID_PHONE',
      'COUNTRY_NOT_ALLOWED',
      'INVALID_CODE',
      'TOO_MANY_ATTEMPTS',
      'IDENTITY_IN_USE',
      'IDENTITY_TYPE_TAKEN',
    ],
  },
  changePhone: {
    method: 'PUT',
    path: '/v1/me/phone',
    handler: 'me-phone',
    auth: 'user',
    summary:
      "Replace the account's phone with a new number proven by a texted code; the old number is free at once.",
    body: s.PhoneCodeBody,
    sensitive: true,
    success: { status: 200, description: 'The user, with the new phone.', schema: s.UserResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'REAUTH_REQUIRED',
      'INVALID_PHONE',
      'COUNTRY_NOT_ALLOWED',
      'INVALID_CODE',
      'TOO_MANY_ATTEMPTS',
      'IDENTITY_IN_USE',
      'IDENTITY_TYPE_TAKEN',
      'CONFLICT',
    ],
  },
  unlinkIdentity: {
    method: 'DELETE',
    path: '/v1/me/identities/{type}',
    handler: 'me-identity-delete',
    auth: 'user',
    summary: 'Remove a way into the account; never the last one.',
    params: s.IdentityTypeParams,
    sensitive: true,
    success: { status: 204, description: 'Removed.' },
    errors: ['INVALID_TOKEN', 'REAUTH_REQUIRED', 'VALIDATION_FAILED', 'NOT_FOUND', 'LAST_IDENTITY'],
  },
  passwordReset: {
    method: 'POST',
    path: '/v1/auth/password/reset',
    handler: 'password-reset',
    auth: 'public',
    summary:
      "Set a new password with a code texted to the account's verified phone; ends the lockout and every other session.",
    body: s.PasswordResetBody,
    success: { status: 200, description: 'Signed in with the new password.', schema: s.TokenResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_PHONE',
      'COUNTRY_NOT_ALLOWED',
      'INVALID_CODE',
      'TOO_MANY_ATTEMPTS',
      'NO_PASSWORD_IDENTITY',
      'PASSWORD_TOO_COMMON',
      'PHONE_REVERIFY_REQUIRED',
    ],
  },
  passwordResetEmail: {
    method: 'POST',
    path: '/v1/auth/password/reset/email',
    handler: 'password-reset-email',
    auth: 'public',
    summary:
      "Mail a password-reset link (single use, valid 15 minutes) to the account's confirmed email; the same 202 for every username.",
    body: s.PasswordResetEmailBody,
    success: {
      status: 202,
      description: 'Accepted; a link went out only if the account has a confirmed email.',
      schema: s.PasswordResetEmailResponse,
    },
    errors: [...INPUT_ERRORS, 'EMAIL_RATE_LIMITED'],
  },
  passwordResetLink: {
    method: 'POST',
    path: '/v1/auth/password/reset/email/complete',
    handler: 'password-reset-link',
    auth: 'public',
    summary:
      'Set a new password with the token of a mailed reset link; ends the lockout and every other session.',
    body: s.PasswordResetLinkBody,
    success: { status: 200, description: 'Signed in with the new password.', schema: s.TokenResponse },
    errors: [...INPUT_ERRORS, 'INVALID_LINK', 'PASSWORD_TOO_COMMON'],
  },
  deleteMe: {
    method: 'DELETE',
    path: '/v1/me',
    handler: 'me-delete',
    auth: 'user',
    summary:
      'Delete the account: sessions revoked and identities freed at once; bank links removed at Plaid and Apple tokens revoked from a durable queue.',
    sensitive: true,
    success: {
      status: 202,
      description: 'Deleted; the work at Plaid and Apple follows.',
      schema: s.AccountDeletedResponse,
    },
    errors: ['INVALID_TOKEN', 'REAUTH_REQUIRED', 'NOT_FOUND'],
  },
  exportMe: {
    method: 'GET',
    path: '/v1/me/export',
    handler: 'me-export',
    auth: 'user',
    summary:
      'Everything stored about the user as one JSON document (GDPR art. 15/20): profile, identities, sessions, audit history, bank links with their history; no secret.',
    success: { status: 200, description: 'The export.' },
    errors: ['INVALID_TOKEN', 'NOT_FOUND'],
  },
  plaidLinkToken: {
    method: 'POST',
    path: '/v1/plaid/link-token',
    handler: 'plaid-link-token',
    auth: 'user',
    summary: 'A Plaid Link token to link a new bank.',
    body: s.LinkTokenBody,
    success: { status: 200, description: 'A Link token.', schema: s.LinkTokenResponse },
    errors: [...INPUT_ERRORS, 'INVALID_TOKEN', 'PLAID_UNAVAILABLE', 'PLAID_NOT_CONFIGURED'],
  },
  plaidLinkItem: {
    method: 'POST',
    path: '/v1/plaid/items',
    handler: 'plaid-items-create',
    auth: 'user',
    summary: "Store the bank the user linked with Link (exchanges Link's public token).",
    body: s.LinkItemBody,
    success: { status: 201, description: 'The new bank link.', schema: s.ItemResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'LINK_TOKEN_MISMATCH',
      'INSTITUTION_ALREADY_LINKED',
      'PLAID_UNAVAILABLE',
      'PLAID_NOT_CONFIGURED',
    ],
  },
  plaidListItems: {
    method: 'GET',
    path: '/v1/plaid/items',
    handler: 'plaid-items-list',
    auth: 'user',
    summary: "The user's bank links, with status and what to do.",
    success: { status: 200, description: 'Bank links.', schema: s.ItemsResponse },
    errors: ['INVALID_TOKEN'],
  },
  plaidGetItem: {
    method: 'GET',
    path: '/v1/plaid/items/{itemId}',
    handler: 'plaid-item-get',
    auth: 'user',
    summary: 'One bank link.',
    params: s.ItemIdParams,
    success: { status: 200, description: 'The bank link.', schema: s.ItemResponse },
    errors: ['INVALID_TOKEN', 'VALIDATION_FAILED', 'NOT_FOUND'],
  },
  plaidUpdateLinkToken: {
    method: 'POST',
    path: '/v1/plaid/items/{itemId}/link-token',
    handler: 'plaid-item-link-token',
    auth: 'user',
    summary: 'A Plaid Link token in update mode, to repair this bank link.',
    params: s.ItemIdParams,
    body: s.LinkTokenBody,
    success: { status: 200, description: 'An update-mode Link token.', schema: s.LinkTokenResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'NOT_FOUND',
      'RELINK_REQUIRED',
      'PLAID_UNAVAILABLE',
      'PLAID_NOT_CONFIGURED',
    ],
  },
  plaidRepairItem: {
    method: 'POST',
    path: '/v1/plaid/items/{itemId}/repair',
    handler: 'plaid-item-repair',
    auth: 'user',
    summary: 'After update mode: ask Plaid whether the link works again.',
    params: s.ItemIdParams,
    body: s.RepairItemBody,
    success: { status: 200, description: 'The bank link, healthy again.', schema: s.ItemResponse },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_TOKEN',
      'NOT_FOUND',
      'STILL_BROKEN',
      'PLAID_UNAVAILABLE',
      'PLAID_NOT_CONFIGURED',
    ],
  },
  plaidItemEvents: {
    method: 'GET',
    path: '/v1/plaid/items/{itemId}/events',
    handler: 'plaid-item-events',
    auth: 'user',
    summary: "The bank link's history, newest first.",
    params: s.ItemIdParams,
    query: s.CursorQuery,
    success: { status: 200, description: 'A page of events.', schema: s.ItemEventsResponse },
    errors: ['INVALID_TOKEN', 'VALIDATION_FAILED', 'NOT_FOUND'],
  },
  plaidRemoveItem: {
    method: 'DELETE',
    path: '/v1/plaid/items/{itemId}',
    handler: 'plaid-item-delete',
    auth: 'user',
    summary: 'Remove the bank link, at Plaid and here.',
    params: s.ItemIdParams,
    success: { status: 204, description: 'Removed.' },
    errors: ['INVALID_TOKEN', 'VALIDATION_FAILED', 'NOT_FOUND', 'PLAID_UNAVAILABLE', 'PLAID_NOT_CONFIGURED'],
  },
  plaidWebhook: {
    method: 'POST',
    path: '/v1/plaid/webhook',
    handler: 'plaid-webhook',
    auth: 'public',
    summary: "Plaid's webhooks, verified by their Plaid-Verification signature.",
    success: { status: 200, description: 'Received (unknown types and codes too).' },
    errors: [
      'INVALID_WEBHOOK_SIGNATURE',
      'MALFORMED_BODY',
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'PLAID_NOT_CONFIGURED',
    ],
  },
  appleNotifications: {
    method: 'POST',
    path: '/v1/apple/notifications',
    handler: 'apple-notifications',
    auth: 'public',
    summary:
      "Sign in with Apple's server-to-server notifications (consent-revoked, account-delete, email-disabled, email-enabled), verified against Apple's JWKS.",
    body: s.AppleNotificationBody,
    success: { status: 200, description: 'Received.' },
    errors: [
      ...INPUT_ERRORS,
      'INVALID_APPLE_NOTIFICATION',
      'PROVIDER_UNAVAILABLE',
      'PROVIDER_NOT_CONFIGURED',
    ],
  },
  jwks: {
    method: 'GET',
    path: '/.well-known/jwks.json',
    handler: 'jwks',
    auth: 'public',
    summary: 'The public keys that verify access tokens.',
    success: { status: 200, description: 'A JWK Set.', schema: s.JwksResponse },
    errors: [],
  },
  openapi: {
    method: 'GET',
    path: '/openapi.json',
    handler: 'openapi',
    auth: 'public',
    summary: 'This API, as an OpenAPI 3.1 document.',
    success: { status: 200, description: 'The OpenAPI document.' },
    errors: [],
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteId = keyof typeof routes;

/** The routes as a list, with their ids. */
export const routeList = (Object.entries(routes) as [RouteId, RouteDefinition][]).map(([id, route]) => ({
  id,
  ...route,
}));
