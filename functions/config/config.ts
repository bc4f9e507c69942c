import type { Argon2Parameters } from '../adapters/argon2-password-hasher';
import type { LockoutPolicy } from '../domain/lockout-policy';
import type { ResetLinkPolicy } from '../domain/reset-password-by-email';
import type { SessionPolicy } from '../domain/session-policy';
import {
  type PublicKeysSetting,
  readAccessTokens,
  readPublicKeys,
  type SigningKeysSetting,
} from './access-tokens';
import { readAlertTopic, requireAlertTopic } from './alerts';
import { type AppleKeySettings, readAppleKey } from './apple';
import { type RevocationListSettings, readAccounts, readBase, readHttp, readTable } from './core';
import { type DeletionQueueSettings, readDeletionQueue } from './deletion';
import { type PlaidConfig, readPlaid, readTokenKey, type TokenKeySetting } from './plaid';
import { type PollerConfig, readCheckQueue, readPoller, readWebhookQueue } from './poller';
import { type ProvidersSettings, readProviders } from './providers';
import { ConfigError, type Env } from './read-env';
import { readSms, readSmsPepper, type SmsPepperSetting } from './sms';

export { ConfigError, type Env };

/**
 * Everything the functions read from the environment. Each part belongs to one section; a
 * section is validated at cold start when the function's capabilities need it
 * ({@link validateSections}), and otherwise on first use.
 */
export interface Config {
  region: string | undefined;
  corsAllowedOrigins: string[];
  tableName: string;
  /** DynamoDB Local's URL in local mode; unset in AWS. */
  dynamodbEndpoint: string | undefined;
  eventRetentionSeconds: number;
  sessionPolicy: SessionPolicy;
  lockoutPolicy: LockoutPolicy;
  argon2: Argon2Parameters;
  /** How recent `auth_time` must be for a sensitive operation (`STEP_UP_MAX_AGE_SECONDS`). */
  stepUpMaxAgeSeconds: number;
  revocationList: RevocationListSettings;
  accessTokens: { issuer: string; audience: string; clientId: string; ttlSeconds: number };
  signingKeys: SigningKeysSetting;
  /** What the verifiers check (issuer, audience, lifetime), without the private keys' section. */
  tokenVerification: { issuer: string; audience: string; ttlSeconds: number };
  publicKeys: PublicKeysSetting;
  sms: ReturnType<typeof readSms>;
  smsPepper: SmsPepperSetting;
  providers: ProvidersSettings;
  /** Our Sign in with Apple key; unset without `APPLE_TEAM_ID`. */
  appleKey: AppleKeySettings | undefined;
  /** Unset without `PLAID_CLIENT_ID`: the routes that need Plaid answer 503 then. */
  plaid: PlaidConfig | undefined;
  tokenKey: TokenKeySetting;
  /** The SNS topic alerts go to (AWS); the outbox stands in under `SMS_TRANSPORT=outbox`. */
  alertTopicArn: string | undefined;
  /** Password-reset links mailed through the alert topic. */
  passwordReset: ResetLinkPolicy;
  poller: PollerConfig;
  deletionQueue: DeletionQueueSettings;
}

/**
 * The sections of the configuration, each read and checked on its own: what a function's
 * capabilities need is checked at its cold start, so it fails to initialise naming the missing
 * variable instead of failing its first request that happens to need it.
 */
const SECTIONS = {
  base: readBase,
  http: readHttp,
  table: readTable,
  accounts: readAccounts,
  accessTokens: readAccessTokens,
  publicKeys: readPublicKeys,
  sms: readSms,
  smsPepper: readSmsPepper,
  providers: readProviders,
  appleKey: readAppleKey,
  plaid: readPlaid,
  tokenKey: readTokenKey,
  alertTopic: readAlertTopic,
  poller: readPoller,
  deletionQueue: readDeletionQueue,
} as const;

/** Checks that only cold start runs: what a capability demands beyond what its section reads. */
const REQUIREMENTS = {
  alertTopic: requireAlertTopic,
  checkQueue: readCheckQueue,
  webhookQueue: readWebhookQueue,
} as const;

/** A part of the configuration that can be checked on its own. */
export type ConfigSection = keyof typeof SECTIONS | keyof typeof REQUIREMENTS;

/** Every section, for the local runtime (which serves every function) and tests. */
export const ALL_SECTIONS = [
  ...Object.keys(SECTIONS),
  ...Object.keys(REQUIREMENTS),
] as readonly ConfigSection[];

/**
 * The configuration of `env`, read section by section on first use and kept.
 *
 * @example
 * const config = loadConfig(process.env);
 * config.tableName; // reads and checks the table section, or throws ConfigError naming TABLE_NAME
 */
export function loadConfig(env: Env): Config {
  const read = new Map<string, unknown>();
  const section = <K extends keyof typeof SECTIONS>(name: K): ReturnType<(typeof SECTIONS)[K]> => {
    if (!read.has(name)) read.set(name, SECTIONS[name](env));
    return read.get(name) as ReturnType<(typeof SECTIONS)[K]>;
  };
  return {
    get region() {
      return section('base').region;
    },
    get corsAllowedOrigins() {
      return section('http').corsAllowedOrigins;
    },
    get tableName() {
      return section('table').tableName;
    },
    get dynamodbEndpoint() {
      return section('table').dynamodbEndpoint;
    },
    get eventRetentionSeconds() {
      return section('table').eventRetentionSeconds;
    },
    get sessionPolicy() {
      return section('accounts').sessionPolicy;
    },
    get lockoutPolicy() {
      return section('accounts').lockoutPolicy;
    },
    get argon2() {
      return section('accounts').argon2;
    },
    get stepUpMaxAgeSeconds() {
      return section('accounts').stepUpMaxAgeSeconds;
    },
    get revocationList() {
      return section('accounts').revocationList;
    },
    get accessTokens() {
      return section('accessTokens').accessTokens;
    },
    get signingKeys() {
      return section('accessTokens').signingKeys;
    },
    get tokenVerification() {
      return section('publicKeys').tokenVerification;
    },
    get publicKeys() {
      return section('publicKeys').publicKeys;
    },
    get sms() {
      return section('sms');
    },
    get smsPepper() {
      return section('smsPepper');
    },
    get providers() {
      return section('providers');
    },
    get appleKey() {
      return section('appleKey');
    },
    get plaid() {
      return section('plaid');
    },
    get tokenKey() {
      return section('tokenKey');
    },
    get alertTopicArn() {
      return section('alertTopic').alertTopicArn;
    },
    get passwordReset() {
      return section('alertTopic').passwordReset;
    },
    get poller() {
      return section('poller');
    },
    get deletionQueue() {
      return section('deletionQueue');
    },
  };
}

/**
 * Checks `sections` of `env` now, and throws one {@link ConfigError} that names every missing or
 * bad variable among them. What a function runs at cold start, for its capabilities.
 *
 * @example
 * validateSections(process.env, ['base', 'table', 'accessTokens']);
 */
export function validateSections(env: Env, sections: readonly ConfigSection[]): void {
  const problems: string[] = [];
  for (const name of new Set(sections)) {
    try {
      if (name in REQUIREMENTS) REQUIREMENTS[name as keyof typeof REQUIREMENTS](env);
      else SECTIONS[name as keyof typeof SECTIONS](env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message.replace(/^Invalid configuration: /, ''));
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
