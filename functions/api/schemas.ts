import * as z from 'zod/mini';

/**
 * Request and response schemas. They validate requests at runtime and generate the OpenAPI
 * document, so the two cannot disagree.
 */

const trimmedText = (min: number, max: number) =>
  z.string().check(z.trim(), z.minLength(min), z.maxLength(max));

export const RegisterBody = z.object({
  username: z
    .string()
    .check(
      z.minLength(3),
      z.maxLength(32),
      z.regex(/^[A-Za-z0-9_.-]+$/, 'Use 3 to 32 of a-z, 0-9, underscore, dot and hyphen.'),
    ),
  // Length is judged in Unicode code points by the domain (8–128); this only bounds the input.
  password: z.string().check(z.minLength(8), z.maxLength(512)),
  displayName: z.optional(trimmedText(1, 64)),
});

export const LoginBody = z.object({
  username: z.string().check(z.minLength(1), z.maxLength(64)),
  password: z.string().check(z.minLength(1), z.maxLength(512)),
});

export const LogoutBody = z.optional(z.object({ allSessions: z.optional(z.boolean()) }));

/** `POST /v1/oauth/token`, form-encoded or JSON. Grant-specific fields are checked per grant. */
export const TokenRequestBody = z.object({
  grant_type: z.string().check(z.minLength(1), z.maxLength(64)),
  refresh_token: z.optional(z.string().check(z.maxLength(512))),
  code: z.optional(z.string().check(z.maxLength(512))),
  code_verifier: z.optional(z.string().check(z.maxLength(512))),
});

export const SessionIdParams = z.object({
  sessionId: z.string().check(z.regex(/^ses_[A-Za-z0-9_-]{10,40}$/, 'Not a session id.')),
});

export const CursorQuery = z.object({
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(400))),
});

export const UserResponse = z.object({
  id: z.string(),
  displayName: z.string(),
  avatarUrl: z.optional(z.string()),
  phone: z.optional(z.string()),
  email: z.optional(z.string()),
  emailConfirmed: z.boolean(),
  notifications: z.object({ sms: z.boolean(), email: z.boolean() }),
  identities: z.array(z.object({ type: z.string(), label: z.string(), linkedAt: z.string() })),
  createdAt: z.string(),
});

export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
  refresh_token: z.string(),
  user: UserResponse,
});

export const SessionsResponse = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.string(),
      expiresAt: z.string(),
      current: z.boolean(),
      userAgent: z.optional(z.string()),
      ip: z.optional(z.string()),
    }),
  ),
});

export const EventsResponse = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      at: z.string(),
      sessionId: z.optional(z.string()),
      ip: z.optional(z.string()),
      userAgent: z.optional(z.string()),
      detail: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
    }),
  ),
  nextCursor: z.optional(z.string()),
});

export const JwksResponse = z.object({
  keys: z.array(
    z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string(), kid: z.string() }),
  ),
});

export const OAuthErrorResponse = z.object({
  error: z.enum(['invalid_request', 'invalid_grant', 'unsupported_grant_type']),
  error_description: z.string(),
});

export const PhoneBody = z.object({ phone: z.string().check(z.minLength(1), z.maxLength(32)) });

const SmsCode = z.string().check(z.regex(/^\d{6}$/, 'The code is six digits.'));

export const PhoneCodeBody = z.object({
  phone: z.string().check(z.minLength(1), z.maxLength(32)),
  code: SmsCode,
});

export const SmsSentResponse = z.object({ expiresIn: z.number(), resendAfter: z.number() });

export const SmsTokenResponse = z.extend(TokenResponse, { isNewUser: z.boolean() });

export const SetPasswordBody = z.object({
  password: z.string().check(z.minLength(8), z.maxLength(512)),
  currentPassword: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  username: z.optional(
    z
      .string()
      .check(
        z.minLength(3),
        z.maxLength(32),
        z.regex(/^[A-Za-z0-9_.-]+$/, 'Use 3 to 32 of a-z, 0-9, underscore, dot and hyphen.'),
      ),
  ),
});

export const IdentityTypeParams = z.object({
  type: z.enum(['password', 'phone', 'wechat', 'qq', 'apple', 'google']),
});

export const UpdateMeBody = z.object({
  displayName: z.optional(trimmedText(1, 64)),
  email: z.optional(z.nullable(z.email().check(z.maxLength(254)))),
  notifications: z.optional(z.object({ sms: z.optional(z.boolean()), email: z.optional(z.boolean()) })),
});

const providerFields = {
  provider: z.enum(['wechat', 'qq', 'apple', 'google']),
  /** WeChat: the SDK's one-time code (preferred). */
  code: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
  /** WeChat (with `openId`) or QQ: an access token from the SDK. */
  accessToken: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  openId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  /** Apple, Google: the id_token and the raw nonce it was requested with. */
  idToken: z.optional(z.string().check(z.minLength(1), z.maxLength(8192))),
  nonce: z.optional(z.string().check(z.minLength(8), z.maxLength(256))),
};

/** `POST /v1/auth/social`: a provider credential plus the PKCE challenge the code is bound to. */
export const SocialSignInBody = z.object({
  ...providerFields,
  codeChallenge: z
    .string()
    .check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'An S256 challenge: 43 base64url characters.')),
  codeChallengeMethod: z.literal('S256', 'Only S256 is accepted (RFC 7636; plain is refused).'),
});

/** `POST /v1/me/identities/social`: the same credential, without PKCE. */
export const LinkSocialBody = z.object(providerFields);

export const SocialSignInResponse = z.object({
  code: z.string(),
  expiresIn: z.number(),
  isNewUser: z.boolean(),
});

export const LinkTokenResponse = z.object({ linkToken: z.string(), expiration: z.string() });

export const LinkItemBody = z.object({ publicToken: z.string().check(z.minLength(1), z.maxLength(256)) });

export const ItemResponse = z.object({
  itemId: z.string(),
  institutionId: z.string(),
  institutionName: z.string(),
  status: z.enum([
    'healthy',
    'login_required',
    'pending_expiration',
    'pending_disconnect',
    'revoked',
    'error',
    'not_found',
  ]),
  needsAction: z.boolean(),
  reason: z.optional(z.string()),
  lastCheckedAt: z.optional(z.string()),
  lastSuccessAt: z.optional(z.string()),
  consentExpiresAt: z.optional(z.string()),
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
  createdAt: z.string(),
});

export const ItemsResponse = z.object({ items: z.array(ItemResponse) });

export const ItemIdParams = z.object({
  itemId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'Not an item id.')),
});

export const ItemEventsResponse = z.object({
  events: z.array(
    z.object({
      type: z.string(),
      at: z.string(),
      source: z.optional(z.string()),
      from: z.optional(z.string()),
      to: z.optional(z.string()),
      errorCode: z.optional(z.string()),
      step: z.optional(z.string()),
      detail: z.optional(z.string()),
    }),
  ),
  nextCursor: z.optional(z.string()),
});

export const ProblemResponse = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  code: z.string(),
  detail: z.string(),
  requestId: z.string(),
  errors: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
  /** INSTITUTION_ALREADY_LINKED: the Item the user already has for this bank. */
  itemId: z.optional(z.string()),
  /** STILL_BROKEN: the Item as Plaid still reports it. */
  item: z.optional(ItemResponse),
});
