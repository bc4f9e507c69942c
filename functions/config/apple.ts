import * as z from 'zod/mini';
import type { SecretSetting } from '../adapters/secret-sources';
import { ConfigError, type Env, parseSection, text } from './read-env';

/**
 * Our Sign in with Apple key (developer portal, Keys): the team and key ids and the `.p8` private
 * key that signs the client secrets of Apple's `/auth/token` and `/auth/revoke`.
 */
export interface AppleKeySettings {
  baseUrl: string;
  teamId: string;
  keyId: string;
  privateKey: SecretSetting;
}

/**
 * The `appleKey` capability: unset without `APPLE_TEAM_ID` (Apple sign-in then stores no Apple
 * token, and deletion has nothing to revoke at Apple).
 */
export function readAppleKey(env: Env): AppleKeySettings | undefined {
  const e = parseSection(
    env,
    z.object({
      APPLE_BASE_URL: z._default(z.url(), 'https://appleid.apple.com'),
      APPLE_TEAM_ID: z.optional(
        z.string().check(z.regex(/^[A-Z0-9]{10}$/, 'must be the 10-character team id')),
      ),
      APPLE_KEY_ID: z.optional(
        z.string().check(z.regex(/^[A-Z0-9]{10}$/, 'must be the 10-character key id')),
      ),
      APPLE_PRIVATE_KEY_SECRET_ID: z.optional(text()),
      APPLE_PRIVATE_KEY: z.optional(text()),
    }),
  );
  if (e.APPLE_TEAM_ID === undefined) return undefined;
  if (e.APPLE_KEY_ID === undefined)
    throw new ConfigError('Invalid configuration: APPLE_TEAM_ID needs APPLE_KEY_ID');
  if ((e.APPLE_PRIVATE_KEY_SECRET_ID === undefined) === (e.APPLE_PRIVATE_KEY === undefined))
    throw new ConfigError(
      'Invalid configuration: APPLE_TEAM_ID needs exactly one of APPLE_PRIVATE_KEY_SECRET_ID and APPLE_PRIVATE_KEY (locally)',
    );
  return {
    baseUrl: e.APPLE_BASE_URL,
    teamId: e.APPLE_TEAM_ID,
    keyId: e.APPLE_KEY_ID,
    privateKey:
      e.APPLE_PRIVATE_KEY_SECRET_ID !== undefined
        ? { secretId: e.APPLE_PRIVATE_KEY_SECRET_ID }
        : { value: e.APPLE_PRIVATE_KEY ?? '' },
  };
}
