import type { LoginFailureRecord } from '../../../domain/model';
import type { StoredItem } from '../table';
import { epochSeconds, isoOfEpoch } from './stored';

/**
 * The failed-password counter of a username that has no account (TTL item):
 * `LOGIN#<username>` / `FAILURES`. Unknown usernames are counted and locked exactly like known
 * ones, whose counter lives on their identity item ({@link identityFailures}).
 */
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

/**
 * The failed-password counter of a username that has an account, kept on its identity item
 * (`IDENTITY#password#<username>` / `IDENTITY`) so that one `UpdateItem` reserves an attempt and
 * returns the password hash together. Its expiry is an ISO time, not the table's TTL attribute:
 * the identity must outlive its counter. Attribute names are prefixed so that they never meet
 * the identity's own.
 */
export const identityFailures = {
  /** The attributes, removed together when a success or a reset clears the counter. */
  attributes: ['loginFailures', 'failureWindowEndsAt', 'lastFailureAt', 'failuresExpireAt'] as const,

  /** The counter on an identity item, or `undefined` when it has none. */
  fromItem: (item: StoredItem): LoginFailureRecord | undefined =>
    item.loginFailures === undefined
      ? undefined
      : {
          failures: Number(item.loginFailures),
          windowEndsAt: String(item.failureWindowEndsAt),
          lastFailureAt: String(item.lastFailureAt),
          expiresAt: String(item.failuresExpireAt),
        },
} as const;
