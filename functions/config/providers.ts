import * as z from 'zod/mini';
import type { SecretSetting } from '../adapters/secret-sources';
import { ConfigError, type Env, int, list, parseSection, text } from './read-env';

/** One OpenID Connect provider (Apple, Google). */
export interface OidcSettings {
  issuers: string[];
  jwksUrl: string;
  audiences: string[];
}

/** The sign-in providers; each is unset (answering 503 PROVIDER_NOT_CONFIGURED) until its id is set. */
export interface ProvidersSettings {
  timeoutMs: number;
  jwksCooldownMs: number;
  wechat: { baseUrl: string; appId: string; appSecret: SecretSetting } | undefined;
  qq: { baseUrl: string; appId: string } | undefined;
  apple: OidcSettings | undefined;
  google: OidcSettings | undefined;
}

/** The `providers` capability. */
export function readProviders(env: Env): ProvidersSettings {
  const e = parseSection(
    env,
    z.object({
      PROVIDER_TIMEOUT_MS: z._default(int(100, 30000), 3000),
      OIDC_JWKS_COOLDOWN_SECONDS: z._default(int(0, 3600), 30),
      WECHAT_BASE_URL: z._default(z.url(), 'https://api.weixin.qq.com'),
      WECHAT_APP_ID: z.optional(text()),
      WECHAT_APP_SECRET_ID: z.optional(text()),
      WECHAT_APP_SECRET: z.optional(text()),
      QQ_BASE_URL: z._default(z.url(), 'https://graph.qq.com'),
      QQ_APP_ID: z.optional(text()),
      APPLE_ISSUER: z._default(z.string(), 'https://appleid.apple.com'),
      APPLE_JWKS_URL: z._default(z.url(), 'https://appleid.apple.com/auth/keys'),
      APPLE_CLIENT_IDS: z.optional(text()),
      GOOGLE_ISSUERS: z._default(z.string(), 'https://accounts.google.com,accounts.google.com'),
      GOOGLE_JWKS_URL: z._default(z.url(), 'https://www.googleapis.com/oauth2/v3/certs'),
      GOOGLE_CLIENT_IDS: z.optional(text()),
    }),
  );
  if (
    e.WECHAT_APP_ID !== undefined &&
    e.WECHAT_APP_SECRET_ID === undefined &&
    e.WECHAT_APP_SECRET === undefined
  ) {
    throw new ConfigError(
      'Invalid configuration: WECHAT_APP_ID needs WECHAT_APP_SECRET_ID (or WECHAT_APP_SECRET locally)',
    );
  }
  return {
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
  };
}
