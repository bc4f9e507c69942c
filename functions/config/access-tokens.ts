import * as z from 'zod/mini';
import { type Env, int, oneOf, parseSection, text } from './read-env';

/** Where the ES256 signing keys live: Secrets Manager in AWS, a local file in local mode. */
export type SigningKeysSetting =
  | { source: 'secrets-manager'; secretId: string }
  | { source: 'file'; path: string };

/** The `signingKeys` capability: what access tokens say about themselves, and their keys. */
export function readAccessTokens(env: Env): {
  accessTokens: { issuer: string; audience: string; clientId: string; ttlSeconds: number };
  signingKeys: SigningKeysSetting;
} {
  const e = parseSection(
    env,
    z.object({
      JWT_ISSUER: text(),
      JWT_AUDIENCE: text(),
      /** The app's OAuth client id, the `client_id` claim of access tokens (RFC 9068 §2.2). */
      JWT_CLIENT_ID: z._default(text(), 'linkguard-app'),
      ACCESS_TOKEN_TTL_SECONDS: z._default(int(60, 3600), 900),
      SIGNING_KEYS_SECRET_ID: z.optional(text()),
      SIGNING_KEYS_FILE: z.optional(text()),
    }),
  );
  oneOf(env, 'SIGNING_KEYS_SECRET_ID', 'SIGNING_KEYS_FILE');
  return {
    accessTokens: {
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      clientId: e.JWT_CLIENT_ID,
      ttlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    },
    signingKeys:
      e.SIGNING_KEYS_SECRET_ID !== undefined
        ? { source: 'secrets-manager', secretId: e.SIGNING_KEYS_SECRET_ID }
        : { source: 'file', path: e.SIGNING_KEYS_FILE as string },
  };
}

/** Where the public keys that verify access tokens come from. */
export type PublicKeysSetting =
  /** AWS: the public JWKS in the function's environment, published at deploy time (`PUBLIC_JWKS`). */
  | { source: 'environment'; jwks: string }
  /** Local mode: the public halves of the keys in the local key file. */
  | { source: 'file'; path: string };

/**
 * The `publicKeys` capability (the authorizer, the JWKS route): what a valid access token says
 * about itself, and the public keys only. Never the private keys: functions that only verify
 * or publish have no way to sign.
 */
export function readPublicKeys(env: Env): {
  tokenVerification: { issuer: string; audience: string; ttlSeconds: number };
  publicKeys: PublicKeysSetting;
} {
  const e = parseSection(
    env,
    z.object({
      JWT_ISSUER: text(),
      JWT_AUDIENCE: text(),
      ACCESS_TOKEN_TTL_SECONDS: z._default(int(60, 3600), 900),
      PUBLIC_JWKS: z.optional(text()),
      SIGNING_KEYS_FILE: z.optional(text()),
    }),
  );
  oneOf(env, 'PUBLIC_JWKS', 'SIGNING_KEYS_FILE');
  return {
    tokenVerification: {
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      ttlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    },
    publicKeys:
      e.PUBLIC_JWKS !== undefined
        ? { source: 'environment', jwks: e.PUBLIC_JWKS }
        : { source: 'file', path: e.SIGNING_KEYS_FILE as string },
  };
}
