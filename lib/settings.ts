import type { Environment } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/** What differs between deployments of LinkGuard. Everything else is fixed in the stacks. */
export interface DeploymentSettings {
  /** Short name of the deployment (`dev`, `prod`, …), part of every stack name. */
  stage: string;
  /** Account and region; unset parts fall back to the CLI's credentials at deploy time. */
  env: Environment;
  /** `iss` of access tokens. Unset: the HTTP API's own URL. Set it when a custom domain fronts the API. */
  issuer: string | undefined;
  /** `aud` of access tokens. */
  audience: string;
  /** Comma-separated CORS origins handed to the functions' middleware. Unset: the functions' default. */
  corsAllowedOrigins: string | undefined;
  /** Powertools log level of every function. */
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** How long function and access logs are kept. */
  logRetention: RetentionDays;
  /**
   * Any value; changing it makes every function start fresh containers, which reload the signing
   * keys (they are read once per cold start). Used during key rotation (docs/deploying.md).
   */
  keysRevision: string | undefined;
  /** Alphanumeric SMS sender id (where the destination country supports one). */
  smsSenderId: string | undefined;
  /** ISO country codes we send SMS to. Unset: the functions' default (`CN,US`). */
  smsAllowedCountries: string | undefined;
  /** SMS sends per UTC day for everyone: the functions' spend brake. Unset: their default. */
  smsDailyCap: string | undefined;
  /**
   * App-review / end-to-end test numbers with fixed codes (`+8613800000001:123456,…`): they never
   * get an SMS and sign in with their code. Refused in a production stage unless
   * `allowTestNumbersInProduction` gives the reason.
   */
  smsTestNumbers: string | undefined;
  /**
   * The app's link a password-reset mail points to (`?token=…` is added): a universal / app
   * link (`https://…`) or the app's own scheme. Unset: the functions' default
   * (`linkguard://password-reset`).
   */
  passwordResetUrl: string | undefined;
  /** The stage serves real users (`-c production=true`): test numbers need a stated reason. */
  production: boolean;
  /** Why test numbers are kept in production (an app-store review account, for instance). */
  allowTestNumbersInProduction: string | undefined;
  /**
   * The account's monthly SMS spend limit in USD (set in the SNS console; the default for new
   * accounts is 1 USD). The spend alarm fires at 80 % of it.
   */
  smsMonthlyBudgetUsd: number;
  /** Third-party sign-in: each provider is enabled by giving its app/client id. */
  providers: {
    wechatAppId: string | undefined;
    qqAppId: string | undefined;
    /** Comma-separated: the iOS bundle id and the Services id, for instance. */
    appleClientIds: string | undefined;
    /**
     * The Apple developer team id and the id of the Sign in with Apple key (developer portal,
     * Keys). Set both: Apple sign-in then keeps Apple's refresh token, which account deletion
     * revokes. The key itself goes in the data stack's secret (docs/deploying.md).
     */
    appleTeamId: string | undefined;
    appleKeyId: string | undefined;
    /** Comma-separated: the iOS and Android OAuth client ids. */
    googleClientIds: string | undefined;
  };
  /** Plaid: the bank links. The secret lives in the data stack (docs/deploying.md). */
  plaid: {
    /**
     * Plaid's client id. Unset: the bank routes are deployed but answer 500 (their config error
     * names PLAID_CLIENT_ID) until it is given; the poller finds no Items to check.
     */
    clientId: string | undefined;
    /** Plaid environment the client id and secret belong to. */
    env: 'sandbox' | 'production';
    /** Comma-separated Plaid products for Link. Unset: the functions' default (`transactions`). */
    products: string | undefined;
    /** Comma-separated country codes for Link. Unset: the functions' default (`US`). */
    countryCodes: string | undefined;
    /** Name Link shows to the user (at most 30 characters). Unset: the functions' default (`LinkGuard`). */
    clientName: string | undefined;
    /** Where Plaid sends webhooks. Unset: `<API URL>/v1/plaid/webhook`. Set it behind a custom domain. */
    webhookUrl: string | undefined;
    /** Link's OAuth return on iOS and the web (an https URL registered with Plaid). Unset: none sent. */
    redirectUri?: string | undefined;
    /** The Android app's package name, Link's OAuth return on Android. Unset: none sent. */
    androidPackageName?: string | undefined;
    /** A Link customization from Plaid's dashboard. Unset: Plaid's default look. */
    linkCustomizationName?: string | undefined;
  };
  /** The bank-link poller (docs/deploying.md, "Bank links (Plaid)"). */
  poller: {
    /** Shards of the next-check index. Only ever raise it: Items in a dropped shard are not polled. */
    shards: number;
    /** Most worker instances at once (the SQS event source's maximum concurrency): bounds Plaid's request rate. */
    concurrency: number;
    /** Minutes between two runs of the dispatcher. */
    scheduleMinutes: number;
    /** `ITEM_STALE_AFTER_HOURS`: hours without a successful update (Plaid reporting no error) before an Item is stale. */
    staleAfterHours?: number | undefined;
    /** `POLLER_BREAKER_FAULTS`: operator faults in a pass (or an hour of webhooks and repairs) that pause the poller. */
    breakerFaults?: number | undefined;
    /** `POLLER_BREAKER_PAUSE_MINUTES`: how long the breaker pauses the poller. */
    breakerPauseMinutes?: number | undefined;
  };
}

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const PLAID_ENVS = ['sandbox', 'production'] as const;

/** Retention values CloudWatch accepts, in days (the enum's values are the day counts). */
const RETENTIONS = new Set<number>(
  Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'),
);

/**
 * Reads the deployment settings from CDK context (`-c stage=prod`, or `cdk.json`), with defaults
 * that make `cdk synth` work with no arguments. Fails fast, naming the bad key, on a value that
 * would otherwise only fail at deploy time.
 *
 * @example
 * const settings = readSettings(app.node); // npx cdk deploy --all -c stage=prod -c region=eu-west-1
 */
export function readSettings(node: Node): DeploymentSettings {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(`Context value "${key}" must be a string.`);
    }
    return String(value);
  };

  const stage = text('stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    throw new Error(`Context value "stage" must be lower-case letters, digits and dashes: got "${stage}".`);
  }
  const logLevel = (text('logLevel') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`Context value "logLevel" must be one of ${LOG_LEVELS.join(', ')}: got "${logLevel}".`);
  }
  const retentionDays = Number(text('logRetentionDays') ?? RetentionDays.ONE_MONTH);
  if (!RETENTIONS.has(retentionDays)) {
    throw new Error(
      `Context value "logRetentionDays" is not a CloudWatch retention: got "${retentionDays}".`,
    );
  }
  const plaidEnv = text('plaidEnv') ?? 'sandbox';
  if (!(PLAID_ENVS as readonly string[]).includes(plaidEnv)) {
    throw new Error(`Context value "plaidEnv" must be one of ${PLAID_ENVS.join(', ')}: got "${plaidEnv}".`);
  }
  const plaidClientName = text('plaidClientName');
  if (plaidClientName !== undefined && plaidClientName.length > 30) {
    throw new Error(
      `Context value "plaidClientName" must be at most 30 characters: got "${plaidClientName}".`,
    );
  }
  const plaidWebhookUrl = text('plaidWebhookUrl');
  if (plaidWebhookUrl !== undefined && !/^https:\/\/[^\s/]+\/\S*$/.test(plaidWebhookUrl)) {
    throw new Error(
      `Context value "plaidWebhookUrl" must be an https URL with a path: got "${plaidWebhookUrl}".`,
    );
  }
  const plaidRedirectUri = text('plaidRedirectUri');
  if (plaidRedirectUri !== undefined && !/^https:\/\/[^\s/]+\/\S*$/.test(plaidRedirectUri)) {
    throw new Error(
      `Context value "plaidRedirectUri" must be an https URL with a path: got "${plaidRedirectUri}".`,
    );
  }
  const plaidAndroidPackageName = text('plaidAndroidPackageName');
  if (
    plaidAndroidPackageName !== undefined &&
    !/^[A-Za-z]\w*(\.[A-Za-z]\w*)+$/.test(plaidAndroidPackageName)
  ) {
    throw new Error(
      `Context value "plaidAndroidPackageName" must be a package name like com.example.app: got "${plaidAndroidPackageName}".`,
    );
  }
  const smsTestNumbers = text('smsTestNumbers');
  if (smsTestNumbers !== undefined && !/^\+\d{6,15}:\d{6}(,\+\d{6,15}:\d{6})*$/.test(smsTestNumbers)) {
    throw new Error(
      `Context value "smsTestNumbers" must be E.164 numbers with six-digit codes (+8613800000001:123456,…): got "${smsTestNumbers}".`,
    );
  }
  const passwordResetUrl = text('passwordResetUrl');
  if (passwordResetUrl !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(passwordResetUrl)) {
    throw new Error(
      `Context value "passwordResetUrl" must be an absolute URL (https://… or the app's scheme): got "${passwordResetUrl}".`,
    );
  }
  const production = (text('production') ?? 'false') === 'true';
  const allowTestNumbersInProduction = text('allowTestNumbersInProduction');
  if (production && smsTestNumbers !== undefined) {
    if (allowTestNumbersInProduction === undefined || allowTestNumbersInProduction.trim().length < 20) {
      throw new Error(
        `Stage "${stage}" is marked production and has "smsTestNumbers": anyone who knows a test number and its code ` +
          'signs in without a phone. Remove them, or say why they must stay in "allowTestNumbersInProduction" ' +
          '(at least 20 characters, e.g. "App Store review demo account, removed after approval").',
      );
    }
  }
  const account = text('account') ?? process.env.CDK_DEFAULT_ACCOUNT;
  const region = text('region') ?? process.env.CDK_DEFAULT_REGION;

  return {
    stage,
    env: {
      ...(account === undefined ? {} : { account }),
      ...(region === undefined ? {} : { region }),
    },
    issuer: text('issuer'),
    audience: text('audience') ?? 'linkguard-api',
    corsAllowedOrigins: text('corsAllowedOrigins'),
    logLevel: logLevel as DeploymentSettings['logLevel'],
    logRetention: retentionDays as RetentionDays,
    keysRevision: text('keysRevision'),
    smsSenderId: text('smsSenderId'),
    smsAllowedCountries: text('smsAllowedCountries'),
    smsDailyCap: text('smsDailyCap'),
    smsTestNumbers,
    passwordResetUrl,
    production,
    allowTestNumbersInProduction,
    smsMonthlyBudgetUsd: positiveNumber(text('smsMonthlyBudgetUsd') ?? '100', 'smsMonthlyBudgetUsd'),
    providers: {
      wechatAppId: text('wechatAppId'),
      qqAppId: text('qqAppId'),
      appleClientIds: text('appleClientIds'),
      appleTeamId: text('appleTeamId'),
      appleKeyId: text('appleKeyId'),
      googleClientIds: text('googleClientIds'),
    },
    plaid: {
      clientId: text('plaidClientId'),
      env: plaidEnv as DeploymentSettings['plaid']['env'],
      products: text('plaidProducts'),
      countryCodes: text('plaidCountryCodes'),
      clientName: plaidClientName,
      webhookUrl: plaidWebhookUrl,
      redirectUri: plaidRedirectUri,
      androidPackageName: plaidAndroidPackageName,
      linkCustomizationName: text('plaidLinkCustomizationName'),
    },
    poller: {
      // The functions accept 1-256 shards (POLLER_SHARDS).
      shards: wholeNumber(text('pollerShards') ?? '16', 'pollerShards', 1, 256),
      // SQS event sources take a maximum concurrency of 2 to 1000.
      concurrency: wholeNumber(text('pollerConcurrency') ?? '16', 'pollerConcurrency', 2, 1000),
      scheduleMinutes: wholeNumber(text('pollerScheduleMinutes') ?? '15', 'pollerScheduleMinutes', 1, 1440),
      // Unset: the functions' defaults (72 hours, 5 faults, 60 minutes); the bounds are theirs.
      staleAfterHours: optionalWholeNumber(text('itemStaleAfterHours'), 'itemStaleAfterHours', 1, 24 * 90),
      breakerFaults: optionalWholeNumber(text('pollerBreakerFaults'), 'pollerBreakerFaults', 1, 10000),
      breakerPauseMinutes: optionalWholeNumber(
        text('pollerBreakerPauseMinutes'),
        'pollerBreakerPauseMinutes',
        1,
        24 * 60,
      ),
    },
  };
}

function wholeNumber(value: string, key: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new Error(`Context value "${key}" must be a whole number from ${min} to ${max}: got "${value}".`);
  }
  return number;
}

function optionalWholeNumber(value: string | undefined, key: string, min: number, max: number) {
  return value === undefined ? undefined : wholeNumber(value, key, min, max);
}

function positiveNumber(value: string, key: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw new Error(`Context value "${key}" must be a positive number: got "${value}".`);
  }
  return number;
}
