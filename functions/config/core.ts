import * as z from 'zod/mini';
import type { Argon2Parameters } from '../adapters/argon2-password-hasher';
import { ACCESS_TOKEN_CLOCK_SKEW_SECONDS } from '../domain/access-token-policy';
import type { LockoutPolicy } from '../domain/lockout-policy';
import type { SessionPolicy } from '../domain/session-policy';
import { parseAllowedOrigins } from '../http/cors-policy';
import { ConfigError, type Env, int, parseSection, text } from './read-env';

const DAY = 24 * 3600;

/** Every function: the AWS region (unset in Lambda, where the SDK reads it itself). */
export function readBase(env: Env): { region: string | undefined } {
  return { region: parseSection(env, z.object({ AWS_REGION: z.optional(z.string()) })).AWS_REGION };
}

/**
 * Every HTTP function: the origins a browser may call from (`*` or a comma-separated list), read
 * as the HTTP API's CORS configuration reads the same setting (`http/cors-policy.ts`).
 */
export function readHttp(env: Env): { corsAllowedOrigins: string[] } {
  const e = parseSection(env, z.object({ CORS_ALLOWED_ORIGINS: z._default(z.string(), '*') }));
  return { corsAllowedOrigins: parseAllowedOrigins(e.CORS_ALLOWED_ORIGINS) };
}

/** The `table` capability: which table, where (DynamoDB Local's URL locally), how long history lives. */
export function readTable(env: Env): {
  tableName: string;
  dynamodbEndpoint: string | undefined;
  eventRetentionSeconds: number;
} {
  const e = parseSection(
    env,
    z.object({
      TABLE_NAME: text(),
      DYNAMODB_ENDPOINT: z.optional(z.url()),
      AUDIT_RETENTION_DAYS: z._default(int(1, 3650), 400),
    }),
  );
  return {
    tableName: e.TABLE_NAME,
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    eventRetentionSeconds: e.AUDIT_RETENTION_DAYS * DAY,
  };
}

/** How the revocation list is written and read (docs/security.md, "Revocation list"). */
export interface RevocationListSettings {
  /**
   * How long an entry stays: the longest an access token of the revoked session can still be
   * accepted (its lifetime plus the `iat` skew the verifier tolerates).
   */
  entrySeconds: number;
  /** How often an authorizer container reads the list again (at most 15 s: the 30 s bound). */
  refreshSeconds: number;
}

/** The `table` capability: the account rules (sessions, lockout, password hashing cost). */
export function readAccounts(env: Env): {
  sessionPolicy: SessionPolicy;
  lockoutPolicy: LockoutPolicy;
  argon2: Argon2Parameters;
  stepUpMaxAgeSeconds: number;
  revocationList: RevocationListSettings;
} {
  const e = parseSection(
    env,
    z.object({
      SESSION_IDLE_DAYS: z._default(int(1, 365), 30),
      SESSION_ABSOLUTE_DAYS: z._default(int(1, 3650), 90),
      REFRESH_REUSE_GRACE_SECONDS: z._default(int(0, 300), 10),
      /** How recent a sign-in sensitive operations need (RFC 9470 `max_age`). */
      STEP_UP_MAX_AGE_SECONDS: z._default(int(60, 86_400), 600),
      LOCKOUT_MAX_FAILURES: z._default(int(1, 100), 5),
      LOCKOUT_WINDOW_MINUTES: z._default(int(1, 1440), 15),
      LOCKOUT_MINUTES: z._default(int(1, 1440), 15),
      ARGON2_MEMORY_KIB: z._default(int(19456, 1048576), 19456),
      ARGON2_ITERATIONS: z._default(int(2, 20), 2),
      /** Read here too: a revoked session stays on the revocation list as long as its tokens can live. */
      ACCESS_TOKEN_TTL_SECONDS: z._default(int(60, 3600), 900),
      REVOCATION_REFRESH_SECONDS: z._default(int(1, 15), 15),
    }),
  );
  if (e.SESSION_IDLE_DAYS > e.SESSION_ABSOLUTE_DAYS) {
    throw new ConfigError('Invalid configuration: SESSION_IDLE_DAYS must not exceed SESSION_ABSOLUTE_DAYS');
  }
  return {
    sessionPolicy: {
      idleSeconds: e.SESSION_IDLE_DAYS * DAY,
      absoluteSeconds: e.SESSION_ABSOLUTE_DAYS * DAY,
      reuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
    },
    lockoutPolicy: {
      maxFailures: e.LOCKOUT_MAX_FAILURES,
      windowSeconds: e.LOCKOUT_WINDOW_MINUTES * 60,
      lockSeconds: e.LOCKOUT_MINUTES * 60,
    },
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_ITERATIONS, parallelism: 1 },
    stepUpMaxAgeSeconds: e.STEP_UP_MAX_AGE_SECONDS,
    revocationList: {
      entrySeconds: e.ACCESS_TOKEN_TTL_SECONDS + ACCESS_TOKEN_CLOCK_SKEW_SECONDS,
      refreshSeconds: e.REVOCATION_REFRESH_SECONDS,
    },
  };
}
