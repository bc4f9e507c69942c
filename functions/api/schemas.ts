import * as z from 'zod/mini';
import { PASSWORD_MAX, PASSWORD_MIN } from '../domain/credentials-policy';

/**
 * Request and response schemas. They validate requests at runtime and generate the OpenAPI
 * document, so the two cannot disagree. Every body and response is named (`id`), so client
 * generators get `User` and `TokenResponse`, not `InlineObject12`.
 */

/** What the OpenAPI document says about a schema beyond its type: its name and its limits. */
export interface ApiSchemaMeta {
  /** The name in `components.schemas`. */
  id?: string;
  description?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
}

/** The names and documented limits of the API's schemas; the OpenAPI document reads them. */
export const apiSchemas = z.registry<ApiSchemaMeta>();

const named = <T extends z.ZodMiniType>(id: string, schema: T, description?: string): T => {
  apiSchemas.add(schema, description === undefined ? { id } : { id, description });
  return schema;
};

const lengthMessage = (min: number, max: number) =>
  min === 0 ? `must be at most ${max} characters` : `must be ${min} to ${max} characters`;

/**
 * A string of `min` to `max` characters, counted as Unicode code points (what JSON Schema's
 * `minLength`/`maxLength` count), so the documented limit is the enforced one for emoji too.
 */
const text = (min: number, max: number, options: { trim?: boolean; description?: string } = {}) => {
  const schema = z.string().check(
    ...(options.trim === true ? [z.trim()] : []),
    z.refine((value: string) => between([...value].length, min, max), lengthMessage(min, max)),
  );
  apiSchemas.add(schema, {
    minLength: min,
    maxLength: max,
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  return schema;
};

const between = (n: number, min: number, max: number) => n >= min && n <= max;

/**
 * A password as the domain judges it: 8–128 code points after NFKC normalisation. The domain
 * checks again (it is the rule's owner); this makes the 422 and the documented limit say so.
 */
const password = (min: number) => {
  const schema = z
    .string()
    .check(
      z.refine(
        (value: string) => between([...value.normalize('NFKC')].length, min, PASSWORD_MAX),
        lengthMessage(min, PASSWORD_MAX),
      ),
    );
  apiSchemas.add(schema, {
    minLength: min,
    maxLength: PASSWORD_MAX,
    description: 'Any Unicode; counted in code points after NFKC normalisation.',
  });
  return schema;
};

/** An ISO 8601 UTC time, as every time in the API is. */
const timestamp = () => {
  const schema = z.string();
  apiSchemas.add(schema, { format: 'date-time' });
  return schema;
};

const USERNAME_RULE = 'must be 3 to 32 of a-z, 0-9, underscore, dot and hyphen';
const username = () => {
  const schema = z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,32}$/, USERNAME_RULE));
  apiSchemas.add(schema, { minLength: 3, maxLength: 32 });
  return schema;
};

const phone = () => text(1, 32, { description: 'A mobile number, ideally E.164 (`+8613800000000`).' });

export const RegisterBody = named(
  'RegisterRequest',
  z.object({
    username: username(),
    password: password(PASSWORD_MIN),
    displayName: z.optional(text(1, 64, { trim: true })),
  }),
);

export const LoginBody = named(
  'LoginRequest',
  z.object({
    username: text(1, 64),
    password: password(1),
  }),
);

export const LogoutBody = z.optional(
  named('LogoutRequest', z.object({ allSessions: z.optional(z.boolean()) })),
);

/** `POST /v1/oauth/token`, form-encoded or JSON. Grant-specific fields are checked per grant. */
export const TokenRequestBody = named(
  'TokenRequest',
  z.object({
    grant_type: text(1, 64, { description: '`refresh_token` or `authorization_code`.' }),
    refresh_token: z.optional(text(0, 512)),
    code: z.optional(text(0, 512)),
    code_verifier: z.optional(text(0, 512)),
  }),
);

export const SessionIdParams = z.object({
  sessionId: z
    .string()
    .check(z.regex(/^ses_[A-Za-z0-9_-]{10,40}$/, 'must be a session id (ses_ and 10 to 40 characters)')),
});

export const CursorQuery = z.object({
  cursor: z.optional(text(1, 400)),
});

export const IdentityType = named(
  'IdentityType',
  z.enum(['password', 'phone', 'wechat', 'qq', 'apple', 'google']),
);

export const Identity = named(
  'Identity',
  z.object({ type: IdentityType, label: z.string(), linkedAt: timestamp() }),
  'A way into the account; `label` is masked (`+86 138****0000`, `ch***`).',
);

export const NotificationChannels = named(
  'NotificationChannels',
  z.object({ sms: z.boolean(), email: z.boolean() }),
);

export const UserResponse = named(
  'User',
  z.object({
    id: z.string(),
    displayName: z.string(),
    avatarUrl: z.optional(z.string()),
    phone: z.optional(z.string()),
    email: z.optional(z.string()),
    emailConfirmed: z.boolean(),
    notifications: NotificationChannels,
    identities: z.array(Identity),
    createdAt: timestamp(),
  }),
);

export const TokenResponse = named(
  'TokenResponse',
  z.object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number(),
    refresh_token: z.string(),
    user: UserResponse,
  }),
  'RFC 6749 token response, with the signed-in user.',
);

export const OAuthTokenResponse = named(
  'OAuthTokenResponse',
  z.extend(z.omit(TokenResponse, { user: true }), { user: z.optional(UserResponse) }),
  'RFC 6749 token response: with the user for an authorization code; a refresh omits it (one DynamoDB call per refresh; `GET /v1/me` has the user).',
);

export const Session = named(
  'Session',
  z.object({
    id: z.string(),
    createdAt: timestamp(),
    lastUsedAt: timestamp(),
    expiresAt: timestamp(),
    current: z.boolean(),
    userAgent: z.optional(z.string()),
    ip: z.optional(z.string()),
  }),
);

export const SessionsResponse = named('SessionList', z.object({ sessions: z.array(Session) }));

export const AuditEvent = named(
  'AuditEvent',
  z.object({
    id: z.string(),
    type: z.string(),
    at: timestamp(),
    sessionId: z.optional(z.string()),
    ip: z.optional(z.string()),
    userAgent: z.optional(z.string()),
    detail: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
  }),
);

export const EventsResponse = named(
  'AuditEventPage',
  z.object({ events: z.array(AuditEvent), nextCursor: z.optional(z.string()) }),
);

export const Jwk = named(
  'Jwk',
  z.object({ kty: z.string(), crv: z.string(), x: z.string(), y: z.string(), kid: z.string() }),
);

export const JwksResponse = named('JwkSet', z.object({ keys: z.array(Jwk) }));

export const OAuthErrorResponse = named(
  'OAuthError',
  z.object({
    error: z.enum(['invalid_request', 'invalid_grant', 'unsupported_grant_type']),
    error_description: z.string(),
  }),
  'RFC 6749 §5.2 error response of the token endpoint.',
);

export const PhoneBody = named('PhoneRequest', z.object({ phone: phone() }));

const SmsCode = z.string().check(z.regex(/^\d{6}$/, 'must be six digits'));

export const PhoneCodeBody = named('PhoneCodeRequest', z.object({ phone: phone(), code: SmsCode }));

export const SmsSentResponse = named(
  'SmsSent',
  z.object({ expiresIn: z.number(), resendAfter: z.number() }),
  'Seconds until the code expires, and until another may be sent.',
);

export const SmsTokenResponse = named(
  'SmsTokenResponse',
  z.extend(TokenResponse, { isNewUser: z.boolean() }),
);

export const SetPasswordBody = named(
  'SetPasswordRequest',
  z.object({
    password: password(PASSWORD_MIN),
    currentPassword: z.optional(password(1)),
    username: z.optional(username()),
  }),
);

export const PasswordResetBody = named(
  'PasswordResetRequest',
  z.object({ phone: phone(), code: SmsCode, password: password(PASSWORD_MIN) }),
);

export const PasswordResetEmailBody = named(
  'PasswordResetEmailRequest',
  z.object({ username: text(1, 64, { description: 'The username of the account to reset.' }) }),
);

export const PasswordResetEmailResponse = named(
  'PasswordResetEmailRequested',
  z.object({ expiresIn: z.number() }),
  'The same answer whatever the username: if the account has a confirmed email, a link valid this many seconds was mailed to it.',
);

export const PasswordResetLinkBody = named(
  'PasswordResetLinkRequest',
  z.object({
    token: text(1, 256, { description: 'The `token` of the link in the reset mail.' }),
    password: password(PASSWORD_MIN),
  }),
);

export const ReverifyBody = named(
  'ReverifyRequest',
  z.object({
    challenge: text(1, 128, { description: 'The `challenge` of the PHONE_REVERIFY_REQUIRED answer.' }),
    password: z.optional(password(1)),
    newAccount: z.optional(z.boolean()),
  }),
);

export const IdentityTypeParams = z.object({ type: IdentityType });

export const UpdateMeBody = named(
  'UpdateMeRequest',
  z.object({
    displayName: z.optional(text(1, 64, { trim: true })),
    email: z.optional(z.nullable(z.email('must be an email address').check(z.maxLength(254)))),
    notifications: z.optional(
      named(
        'NotificationChannelsUpdate',
        z.object({ sms: z.optional(z.boolean()), email: z.optional(z.boolean()) }),
      ),
    ),
  }),
);

export const SocialProvider = named('SocialProvider', z.enum(['wechat', 'qq', 'apple', 'google']));

const providerFields = {
  provider: SocialProvider,
  /** WeChat: the SDK's one-time code (preferred). */
  code: z.optional(text(1, 512, { description: "WeChat: the SDK's one-time code (preferred)." })),
  /** WeChat (with `openId`) or QQ: an access token from the SDK. */
  accessToken: z.optional(
    text(1, 2048, { description: 'WeChat (with `openId`) or QQ: an access token from the SDK.' }),
  ),
  openId: z.optional(text(1, 128)),
  /** Apple, Google: the id_token and the raw nonce it was requested with. */
  idToken: z.optional(text(1, 8192, { description: 'Apple, Google: the id_token.' })),
  nonce: z.optional(
    text(8, 256, { description: 'Apple, Google: the raw nonce the id_token was asked with.' }),
  ),
  /** Apple: the SDK's authorization code, exchanged at Apple for the token account deletion revokes. */
  authorizationCode: z.optional(
    text(1, 512, {
      description:
        "Apple: the SDK's authorizationCode, exchanged at Apple for the refresh token that account deletion revokes.",
    }),
  ),
};

/** `POST /v1/auth/social`: a provider credential plus the PKCE challenge the code is bound to. */
export const SocialSignInBody = named(
  'SocialSignInRequest',
  z.object({
    ...providerFields,
    codeChallenge: z
      .string()
      .check(z.regex(/^[A-Za-z0-9_-]{43}$/, 'must be an S256 challenge: 43 base64url characters')),
    codeChallengeMethod: z.literal('S256', 'must be S256 (RFC 7636; plain is refused)'),
  }),
);

/** `POST /v1/me/identities/social`: the same credential, without PKCE. */
export const LinkSocialBody = named('LinkSocialRequest', z.object(providerFields));

/**
 * `POST /v1/auth/reauth`: exactly one proof of the signed-in account — `password`; or `phone` +
 * `code` (texted by `/v1/auth/sms/send`); or `provider` and its credential fields (as for linking;
 * for WeChat, `code` is then the SDK's code).
 */
export const ReauthBody = named(
  'ReauthRequest',
  z.object({
    password: z.optional(password(1)),
    phone: z.optional(phone()),
    ...providerFields,
    provider: z.optional(SocialProvider),
  }),
);

export const SocialSignInResponse = named(
  'SocialSignInResponse',
  z.object({
    code: z.string(),
    expiresIn: z.number(),
    isNewUser: z.boolean(),
  }),
  'A one-time code for `POST /v1/oauth/token` (`grant_type=authorization_code`).',
);

export const LinkTokenResponse = named(
  'LinkToken',
  z.object({ linkToken: z.string(), expiration: timestamp() }),
);

export const LinkPlatform = named(
  'LinkPlatform',
  z.enum(['ios', 'android', 'web']),
  "The app's platform: decides how Link returns from a bank's OAuth page (`android_package_name` on Android, `redirect_uri` on iOS and the web).",
);

export const LinkTokenBody = z.optional(
  named(
    'LinkTokenRequest',
    z.object({ platform: z.optional(LinkPlatform) }),
    'Optional: the platform the app opens Link on.',
  ),
);

export const LinkAccount = named(
  'LinkAccount',
  z.object({
    id: z.optional(text(1, 128)),
    mask: z.optional(z.nullable(text(1, 8))),
    name: z.optional(text(1, 256)),
  }),
  "An account the user shared in Link: Plaid's `account_id`, its mask (last 2-4 characters), its name.",
);

/** Link's onSuccess (or onExit) metadata as the app forwards it; unknown members are dropped. */
export const LinkMetadata = named(
  'LinkMetadata',
  z.object({
    institutionId: z.optional(text(1, 64)),
    accounts: z.optional(z.array(LinkAccount).check(z.maxLength(50))),
    linkSessionId: z.optional(text(1, 128)),
    status: z.optional(text(1, 64)),
    errorCode: z.optional(z.nullable(text(1, 64))),
  }),
  "Link's onSuccess or onExit metadata: `institutionId`, `accounts [{id, mask, name}]`, `linkSessionId`; for an exit, `status` and `errorCode`.",
);

export const LinkItemBody = named(
  'LinkItemRequest',
  z.object({ publicToken: text(1, 256), linkToken: text(1, 256), metadata: z.optional(LinkMetadata) }),
  "The public token Link gave, the link token this user opened Link with, and Link's onSuccess metadata.",
);

export const RepairItemBody = z.optional(
  named(
    'RepairItemRequest',
    z.object({ metadata: z.optional(LinkMetadata) }),
    "Optional: Link's onSuccess or onExit metadata of the update-mode session.",
  ),
);

export const ItemStatus = named(
  'ItemStatus',
  z.enum([
    'healthy',
    'login_required',
    'pending_expiration',
    'pending_disconnect',
    'revoked',
    'error',
    'not_found',
  ]),
);

export const ItemError = named(
  'ItemError',
  z.object({ code: z.string(), message: z.string() }),
  "Plaid's error code and message, as Plaid last reported them.",
);

export const ItemResponse = named(
  'Item',
  z.object({
    itemId: z.string(),
    institutionId: z.string(),
    institutionName: z.string(),
    status: ItemStatus,
    needsAction: z.boolean(),
    reason: z.optional(z.string()),
    lastCheckedAt: z.optional(timestamp()),
    lastSuccessAt: z.optional(timestamp()),
    lastSyncAt: z.optional(timestamp()),
    staleSince: z.optional(timestamp()),
    consentExpiresAt: z.optional(timestamp()),
    disconnectAt: z.optional(timestamp()),
    repairMode: z.optional(z.enum(['update', 'relink'])),
    institutionStatus: z.optional(z.enum(['healthy', 'degraded', 'down'])),
    error: z.optional(ItemError),
    createdAt: timestamp(),
  }),
  'A bank link (a Plaid Item) and what the user should do about it.',
);

export const ItemsResponse = named('ItemList', z.object({ items: z.array(ItemResponse) }));

export const ItemIdParams = z.object({
  itemId: z
    .string()
    .check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be an item id (1 to 128 of A-Z, a-z, 0-9, _ and -)')),
});

export const ItemEvent = named(
  'ItemEvent',
  z.object({
    type: z.string(),
    at: timestamp(),
    source: z.optional(z.string()),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    errorCode: z.optional(z.string()),
    step: z.optional(z.string()),
    detail: z.optional(z.string()),
  }),
);

export const ItemEventsResponse = named(
  'ItemEventPage',
  z.object({ events: z.array(ItemEvent), nextCursor: z.optional(z.string()) }),
);

export const FieldErrorSchema = named(
  'FieldError',
  z.object({ path: z.string(), message: z.string() }),
  'One bad field: where it is (`password`, `path.itemId`, `query.cursor`) and what is wrong with it.',
);

/**
 * The members of every problem document (RFC 9457). The OpenAPI document narrows `code` per
 * operation and keeps only the extension members that operation can answer.
 */
export const ProblemResponse = named(
  'Problem',
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    code: z.string(),
    detail: z.string(),
    requestId: z.string(),
    errors: z.optional(z.array(FieldErrorSchema)),
    /** INSTITUTION_ALREADY_LINKED: the Item the user already has for this bank. */
    itemId: z.optional(z.string()),
    /** STILL_BROKEN, RELINK_REQUIRED: the Item as Plaid still reports it. */
    item: z.optional(ItemResponse),
  }),
  'An RFC 9457 problem document. Switch on `code`; `detail` is for humans.',
);

/** `DELETE /v1/me`: when the account was deleted. */
export const AccountDeletedResponse = named('AccountDeletedResponse', z.object({ deletedAt: timestamp() }));

/** `POST /v1/apple/notifications`: Apple's server-to-server notification. */
export const AppleNotificationBody = named(
  'AppleNotification',
  z.object({ payload: text(1, 16384, { description: 'A JWT signed by Apple (its id_token keys).' }) }),
);
