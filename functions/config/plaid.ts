import * as z from 'zod/mini';
import type { SecretSetting } from '../adapters/secret-sources';
import { ConfigError, type Env, int, list, parseSection, text } from './read-env';

/** How the functions call Plaid. */
export interface PlaidConfig {
  basePath: string;
  clientId: string;
  secret: SecretSetting;
  webhookUrl: string | undefined;
  products: string[];
  countryCodes: string[];
  clientName: string;
  timeoutMs: number;
  /** Link's OAuth return for iOS and the web (must be registered in Plaid's dashboard). */
  redirectUri: string | undefined;
  /** Link's OAuth return on Android (registered in Plaid's dashboard). */
  androidPackageName: string | undefined;
  linkCustomizationName: string | undefined;
}

/**
 * The `plaid` capability. Unset (`undefined`) while `PLAID_CLIENT_ID` is: a deployment without
 * Plaid is legal, and its bank routes answer 503 `PLAID_NOT_CONFIGURED`. A client id without a
 * secret, or a bad value, is a configuration error.
 */
export function readPlaid(env: Env): PlaidConfig | undefined {
  const e = parseSection(
    env,
    z.object({
      PLAID_ENV: z._default(z.enum(['sandbox', 'production']), 'sandbox'),
      PLAID_BASE_URL: z.optional(z.url()),
      PLAID_CLIENT_ID: z.optional(text()),
      PLAID_SECRET_ID: z.optional(text()),
      PLAID_SECRET: z.optional(text()),
      PLAID_WEBHOOK_URL: z.optional(z.url()),
      PLAID_PRODUCTS: z._default(z.string(), 'transactions'),
      PLAID_COUNTRY_CODES: z._default(z.string(), 'US'),
      PLAID_CLIENT_NAME: z._default(z.string().check(z.minLength(1), z.maxLength(30)), 'LinkGuard'),
      PLAID_TIMEOUT_MS: z._default(int(500, 60000), 10000),
      PLAID_REDIRECT_URI: z.optional(z.url({ protocol: /^https$/ })),
      PLAID_ANDROID_PACKAGE_NAME: z.optional(
        z
          .string()
          .check(z.regex(/^[A-Za-z][\w]*(\.[A-Za-z][\w]*)+$/, 'a Java package name, like com.example.app')),
      ),
      PLAID_LINK_CUSTOMIZATION_NAME: z.optional(text()),
    }),
  );
  if (e.PLAID_CLIENT_ID === undefined) return undefined;
  if (e.PLAID_SECRET_ID === undefined && e.PLAID_SECRET === undefined) {
    throw new ConfigError(
      'Invalid configuration: PLAID_CLIENT_ID needs PLAID_SECRET_ID (or PLAID_SECRET locally)',
    );
  }
  return {
    basePath: e.PLAID_BASE_URL ?? `https://${e.PLAID_ENV}.plaid.com`,
    clientId: e.PLAID_CLIENT_ID,
    secret:
      e.PLAID_SECRET_ID !== undefined ? { secretId: e.PLAID_SECRET_ID } : { value: e.PLAID_SECRET ?? '' },
    webhookUrl: e.PLAID_WEBHOOK_URL,
    products: list(e.PLAID_PRODUCTS),
    countryCodes: list(e.PLAID_COUNTRY_CODES),
    clientName: e.PLAID_CLIENT_NAME,
    timeoutMs: e.PLAID_TIMEOUT_MS,
    redirectUri: e.PLAID_REDIRECT_URI,
    androidPackageName: e.PLAID_ANDROID_PACKAGE_NAME,
    linkCustomizationName: e.PLAID_LINK_CUSTOMIZATION_NAME,
  };
}

/** Where Plaid access tokens' data keys are wrapped: KMS in AWS, a local key file locally. */
export type TokenKeySetting = { source: 'kms'; keyId: string } | { source: 'file'; path: string };

/** The `tokenKey` capability. */
export function readTokenKey(env: Env): TokenKeySetting {
  const e = parseSection(
    env,
    z.object({ TOKEN_KEY_ID: z.optional(text()), TOKEN_KEY_FILE: z.optional(text()) }),
  );
  if ((e.TOKEN_KEY_ID === undefined) === (e.TOKEN_KEY_FILE === undefined)) {
    throw new ConfigError('Invalid configuration: set exactly one of TOKEN_KEY_ID (KMS) and TOKEN_KEY_FILE');
  }
  return e.TOKEN_KEY_ID !== undefined
    ? { source: 'kms', keyId: e.TOKEN_KEY_ID }
    : { source: 'file', path: e.TOKEN_KEY_FILE as string };
}
