import type { AuthorizationCodeRecord } from '../../../domain/ports/authorization-code-store';
import type { StoredItem } from '../table';
import { epochSeconds, recordOf } from './stored';

/** A used code is remembered this long after it was made, so a late replay still revokes. */
const REMEMBER_SECONDS = 600;

/** A one-time authorization code, by the hash of the code (TTL item): `AUTHCODE#<hash>` / `CODE`. */
export const authorizationCodes = {
  key: (codeHash: string) => ({ pk: `AUTHCODE#${codeHash}`, sk: 'CODE' }),

  toItem: (record: AuthorizationCodeRecord): StoredItem => ({
    ...authorizationCodes.key(record.codeHash),
    entity: 'authorizationCode',
    ...record,
    expiresAt: epochSeconds(new Date(record.createdAt)) + REMEMBER_SECONDS,
  }),

  fromItem: (item: StoredItem): AuthorizationCodeRecord => recordOf<AuthorizationCodeRecord>(item),
} as const;
