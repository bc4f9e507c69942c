import type { LoginFailureRecord } from '../../../domain/model';
import type { StoredItem } from '../table';
import { epochSeconds, isoOfEpoch } from './stored';

/** How long a failure of an unknown username is kept, for investigating credential stuffing. */
const UNKNOWN_FAILURE_RETENTION_SECONDS = 30 * 24 * 3600;

/** The failed-password counter of a username (TTL item): `LOGIN#<username>` / `FAILURES`. */
export const loginFailures = {
  key: (username: string) => ({ pk: `LOGIN#${username}`, sk: 'FAILURES' }),

  toItem: (username: string, record: LoginFailureRecord): StoredItem => ({
    ...loginFailures.key(username),
    entity: 'loginFailures',
    failures: record.failures,
    windowEndsAt: record.windowEndsAt,
    lastFailureAt: record.lastFailureAt,
    expiresAt: epochSeconds(new Date(record.expiresAt)),
  }),

  fromItem: (item: StoredItem): LoginFailureRecord => ({
    failures: Number(item.failures ?? 0),
    windowEndsAt: String(item.windowEndsAt ?? new Date(0).toISOString()),
    lastFailureAt: String(item.lastFailureAt ?? new Date(0).toISOString()),
    expiresAt: isoOfEpoch(item.expiresAt),
  }),
} as const;

/** A failed password for a username with no account (TTL item): `LOGIN#<username>` / `UNKNOWN#<at>#<id>`. */
export const unknownUsernameFailures = {
  toItem: (username: string, at: Date, id: string): StoredItem => ({
    pk: `LOGIN#${username}`,
    sk: `UNKNOWN#${at.toISOString()}#${id}`,
    entity: 'unknownUsernameFailure',
    at: at.toISOString(),
    expiresAt: epochSeconds(at) + UNKNOWN_FAILURE_RETENTION_SECONDS,
  }),
} as const;
