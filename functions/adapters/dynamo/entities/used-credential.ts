import type { StoredItem } from '../stored-item';
import { epochSeconds } from './stored';

/** A used OIDC id_token, by its replay key (TTL item, until the token expires): `IDTOKEN#<key>` / `USED`. */
export const usedCredentials = {
  key: (replayKey: string) => ({ pk: `IDTOKEN#${replayKey}`, sk: 'USED' }),

  toItem: (replayKey: string, usedAt: Date, expiresAt: Date): StoredItem => ({
    ...usedCredentials.key(replayKey),
    entity: 'usedCredential',
    usedAt: usedAt.toISOString(),
    expiresAt: epochSeconds(expiresAt),
  }),
} as const;
