import * as z from 'zod/mini';
import type { Argon2Parameters } from './adapters/argon2-password-hasher';
import type { SecretSetting } from './adapters/secret-sources';
import type { CheckSchedule } from './domain/check-schedule';
import { ConfigError } from './domain/errors';
import type { LockoutPolicy } from './domain/lockout-policy';
import type { SessionPolicy } from './domain/session-policy';
import type { SmsPolicy } from './domain/sms-code-policy';

/** Everything the functions read from the environment, validated once at cold start. */
export interface Config {
  tableName: string;
  /** DynamoDB Local's URL in local mode; unset in AWS. */
  dynamodbEndpoint: string | undefined;
  region: string | undefined;
  accessTokens: { issuer: string; audience: string; ttlSeconds: number };
  signingKeys: { source: 'secrets-manager'; secretId: string } | { source: 'file'; path: string };
  sessionPolicy: SessionPolicy;
  lockoutPolicy: LockoutPolicy;
  argon2: Argon2Parameters;
  eventRetentionSeconds: number;
  corsAllowedOrigins: string[];
  sms: {
    transport: 'sns' | 'outbox';
    senderId: string | undefined;
    /** Unset when neither pepper variable is set; the SMS functions refuse to start then. */
    pepper: { source: 'secrets-manager'; secretId: string } | { source: 'file'; path: string } | undefined;
    policy: SmsPolicy;
  };
  providers: {
    timeoutMs: number;
    jwksCooldownMs: number;
    wechat: { baseUrl: string; appId: string; appSecret: SecretSetting } | undefined;
    qq: { baseUrl: string; appId: string } | undefined;
    apple: { issuers: string[]; jwksUrl: string; audiences: string[] } | undefined;
    google: { issuers: string[]; jwksUrl: string; audiences: string[] } | undefined;
  };
  plaid:
    | {
        basePath: string;
        clientId: string;
        secret: SecretSetting;
        webhookUrl: string | undefined;
        products: string[];
        countryCodes: string[];
        clientName: string;
        timeoutMs: number;
      }
    | undefined;
  /** Where Plaid access tokens' data keys are wrapped. Unset: the bank routes refuse to start. */
  tokenKey: { source: 'kms'; keyId: string } | { source: 'file'; path: string } | undefined;
  /** The SNS topic alerts go to (AWS); the outbox stands in under `SMS_TRANSPORT=outbox`. */
  alertTopicArn: string | undefined;
  poller: {
    shards: number;
    queueUrl: string | undefined;
    concurrency: number;
    schedule: CheckSchedule;
  };
}

/** Raised at cold start when the environment is incomplete; the message names the variable. */
export { ConfigError };

const int = (min: number, max: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d+$/, 'must be a whole number')),
    z.pipe(
      z.transform((v: string) => Number(v)),
      z.number().check(z.gte(min), z.lte(max)),
    ),
  );

const schema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  AWS_REGION: z.optional(z.string()),
  JWT_ISSUER: z.string().check(z.minLength(1)),
  JWT_AUDIENCE: z.string().check(z.minLength(1)),
  ACCESS_TOKEN_TTL_SECONDS: z._default(int(60, 3600), 900),
  SIGNING_KEYS_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  SIGNING_KEYS_FILE: z.optional(z.string().check(z.minLength(1))),
  SESSION_IDLE_DAYS: z._default(int(1, 365), 30),
  SESSION_ABSOLUTE_DAYS: z._default(int(1, 3650), 90),
  REFRESH_REUSE_GRACE_SECONDS: z._default(int(0, 300), 10),
  LOCKOUT_MAX_FAILURES: z._default(int(1, 100), 5),
  LOCKOUT_WINDOW_MINUTES: z._default(int(1, 1440), 15),
  LOCKOUT_MINUTES: z._default(int(1, 1440), 15),
  ARGON2_MEMORY_KIB: z._default(int(19456, 1048576), 19456),
  ARGON2_ITERATIONS: z._default(int(2, 20), 2),
  AUDIT_RETENTION_DAYS: z._default(int(1, 3650), 400),
  CORS_ALLOWED_ORIGINS: z._default(z.string(), '*'),
  SMS_TRANSPORT: z._default(z.enum(['sns', 'outbox']), 'sns'),
  SMS_SENDER_ID: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9]{1,11}$/, 'must be 1-11 letters or digits')),
  ),
  SMS_PEPPER_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  SMS_PEPPER_FILE: z.optional(z.string().check(z.minLength(1))),
  SMS_ALLOWED_COUNTRIES: z._default(
    z.string().check(z.regex(/^[A-Z]{2}(,[A-Z]{2})*$/, 'must be ISO codes like CN,US')),
    'CN,US',
  ),
  SMS_PER_IP_HOURLY: z._default(int(1, 10000), 20),
  SMS_DAILY_CAP: z._default(int(1, 10_000_000), 10000),
  PROVIDER_TIMEOUT_MS: z._default(int(100, 30000), 3000),
  OIDC_JWKS_COOLDOWN_SECONDS: z._default(int(0, 3600), 30),
  WECHAT_BASE_URL: z._default(z.url(), 'https://api.weixin.qq.com'),
  WECHAT_APP_ID: z.optional(z.string().check(z.minLength(1))),
  WECHAT_APP_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  WECHAT_APP_SECRET: z.optional(z.string().check(z.minLength(1))),
  QQ_BASE_URL: z._default(z.url(), 'https://graph.qq.com'),
  QQ_APP_ID: z.optional(z.string().check(z.minLength(1))),
  APPLE_ISSUER: z._default(z.string(), 'https://appleid.apple.com'),
  APPLE_JWKS_URL: z._default(z.url(), 'https://appleid.apple.com/auth/keys'),
  APPLE_CLIENT_IDS: z.optional(z.string().check(z.minLength(1))),
  GOOGLE_ISSUERS: z._default(z.string(), 'https://accounts.google.com,accounts.google.com'),
  GOOGLE_JWKS_URL: z._default(z.url(), 'https://www.googleapis.com/oauth2/v3/certs'),
  GOOGLE_CLIENT_IDS: z.optional(z.string().check(z.minLength(1))),
  PLAID_ENV: z._default(z.enum(['sandbox', 'production']), 'sandbox'),
  PLAID_BASE_URL: z.optional(z.url()),
  PLAID_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
  PLAID_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
  PLAID_SECRET: z.optional(z.string().check(z.minLength(1))),
  PLAID_WEBHOOK_URL: z.optional(z.url()),
  PLAID_PRODUCTS: z._default(z.string(), 'transactions'),
  PLAID_COUNTRY_CODES: z._default(z.string(), 'US'),
  PLAID_CLIENT_NAME: z._default(z.string().check(z.minLength(1), z.maxLength(30)), 'LinkGuard'),
  PLAID_TIMEOUT_MS: z._default(int(500, 60000), 10000),
  TOKEN_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  TOKEN_KEY_FILE: z.optional(z.string().check(z.minLength(1))),
  ALERT_TOPIC_ARN: z.optional(z.string().check(z.minLength(1))),
  POLLER_SHARDS: z._default(int(1, 256), 16),
  CHECK_QUEUE_URL: z.optional(z.url()),
  POLLER_CONCURRENCY: z._default(int(1, 1000), 16),
  CHECK_HEALTHY_HOURS: z._default(int(1, 24 * 30), 24),
  CHECK_NEEDS_ACTION_HOURS: z._default(int(1, 24 * 7), 6),
  CHECK_BACKOFF_FIRST_MINUTES: z._default(int(1, 24 * 60), 15),
  CHECK_BACKOFF_MAX_HOURS: z._default(int(1, 48), 4),
});

/**
 * Reads and checks the environment. Throws {@link ConfigError} naming every bad variable.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if ((e.SIGNING_KEYS_SECRET_ID === undefined) === (e.SIGNING_KEYS_FILE === undefined)) {
    throw new ConfigError(
      'Invalid configuration: set exactly one of SIGNING_KEYS_SECRET_ID and SIGNING_KEYS_FILE',
    );
  }
  if (e.SESSION_IDLE_DAYS > e.SESSION_ABSOLUTE_DAYS) {
    throw new ConfigError('Invalid configuration: SESSION_IDLE_DAYS must not exceed SESSION_ABSOLUTE_DAYS');
  }
  if (
    e.WECHAT_APP_ID !== undefined &&
    e.WECHAT_APP_SECRET_ID === undefined &&
    e.WECHAT_APP_SECRET === undefined
  ) {
    throw new ConfigError(
      'Invalid configuration: WECHAT_APP_ID needs WECHAT_APP_SECRET_ID (or WECHAT_APP_SECRET locally)',
    );
  }
  if (e.PLAID_CLIENT_ID !== undefined && e.PLAID_SECRET_ID === undefined && e.PLAID_SECRET === undefined) {
    throw new ConfigError(
      'Invalid configuration: PLAID_CLIENT_ID needs PLAID_SECRET_ID (or PLAID_SECRET locally)',
    );
  }
  const day = 24 * 3600;
  return {
    tableName: e.TABLE_NAME,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    region: e.AWS_REGION,
    accessTokens: { issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, ttlSeconds: e.ACCESS_TOKEN_TTL_SECONDS },
    signingKeys:
      e.SIGNING_KEYS_SECRET_ID !== undefined
        ? { source: 'secrets-manager', secretId: e.SIGNING_KEYS_SECRET_ID }
        : { source: 'file', path: e.SIGNING_KEYS_FILE as string },
    sessionPolicy: {
      idleSeconds: e.SESSION_IDLE_DAYS * day,
      absoluteSeconds: e.SESSION_ABSOLUTE_DAYS * day,
      reuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    },
    lockoutPolicy: {
      maxFailures: e.LOCKOUT_MAX_FAILURES,
      windowSeconds: e.LOCKOUT_WINDOW_MINUTES * 60,
      lockSeconds: e.LOCKOUT_MINUTES * 60,
    },
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_ITERATIONS, parallelism: 1 },
    eventRetentionSeconds: e.AUDIT_RETENTION_DAYS * day,
    sms: {
      transport: e.SMS_TRANSPORT,
      senderId: e.SMS_SENDER_ID,
      pepper:
        e.SMS_PEPPER_SECRET_ID !== undefined
          ? { source: 'secrets-manager', secretId: e.SMS_PEPPER_SECRET_ID }
          : e.SMS_PEPPER_FILE !== undefined
            ? { source: 'file', path: e.SMS_PEPPER_FILE }
            : undefined,
      policy: {
        codeTtlSeconds: 600,
        maxAttempts: 5,
        resendAfterSeconds: 60,
        perPhonePerHour: 5,
        perIpPerHour: e.SMS_PER_IP_HOURLY,
        dailyCap: e.SMS_DAILY_CAP,
        allowedCountries: e.SMS_ALLOWED_COUNTRIES.split(','),
      },
    },
    providers: {
      timeoutMs: e.PROVIDER_TIMEOUT_MS,
      jwksCooldownMs: e.OIDC_JWKS_COOLDOWN_SECONDS * 1000,
      wechat:
        e.WECHAT_APP_ID === undefined
          ? undefined
          : {
              baseUrl: e.WECHAT_BASE_URL,
              appId: e.WECHAT_APP_ID,
              appSecret:
                e.WECHAT_APP_SECRET_ID !== undefined
                  ? { secretId: e.WECHAT_APP_SECRET_ID }
                  : { value: e.WECHAT_APP_SECRET ?? '' },
            },
      qq: e.QQ_APP_ID === undefined ? undefined : { baseUrl: e.QQ_BASE_URL, appId: e.QQ_APP_ID },
      apple:
        e.APPLE_CLIENT_IDS === undefined
          ? undefined
          : { issuers: list(e.APPLE_ISSUER), jwksUrl: e.APPLE_JWKS_URL, audiences: list(e.APPLE_CLIENT_IDS) },
      google:
        e.GOOGLE_CLIENT_IDS === undefined
          ? undefined
          : {
              issuers: list(e.GOOGLE_ISSUERS),
              jwksUrl: e.GOOGLE_JWKS_URL,
              audiences: list(e.GOOGLE_CLIENT_IDS),
            },
    },
    plaid:
      e.PLAID_CLIENT_ID === undefined
        ? undefined
        : {
            basePath: e.PLAID_BASE_URL ?? `https://${e.PLAID_ENV}.plaid.com`,
            clientId: e.PLAID_CLIENT_ID,
            secret:
              e.PLAID_SECRET_ID !== undefined
                ? { secretId: e.PLAID_SECRET_ID }
                : { value: e.PLAID_SECRET ?? '' },
            webhookUrl: e.PLAID_WEBHOOK_URL,
            products: list(e.PLAID_PRODUCTS),
            countryCodes: list(e.PLAID_COUNTRY_CODES),
            clientName: e.PLAID_CLIENT_NAME,
            timeoutMs: e.PLAID_TIMEOUT_MS,
          },
    tokenKey:
      e.TOKEN_KEY_ID !== undefined
        ? { source: 'kms', keyId: e.TOKEN_KEY_ID }
        : e.TOKEN_KEY_FILE !== undefined
          ? { source: 'file', path: e.TOKEN_KEY_FILE }
          : undefined,
    alertTopicArn: e.ALERT_TOPIC_ARN,
    poller: {
      shards: e.POLLER_SHARDS,
      queueUrl: e.CHECK_QUEUE_URL,
      concurrency: e.POLLER_CONCURRENCY,
      schedule: {
        healthySeconds: e.CHECK_HEALTHY_HOURS * 3600,
        needsActionSeconds: e.CHECK_NEEDS_ACTION_HOURS * 3600,
        transientFirstSeconds: e.CHECK_BACKOFF_FIRST_MINUTES * 60,
        transientMaxSeconds: e.CHECK_BACKOFF_MAX_HOURS * 3600,
        jitter: 0.1,
      },
    },
    corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
