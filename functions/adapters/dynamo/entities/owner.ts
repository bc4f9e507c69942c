import type { Expression } from '../expression';

/**
 * Everything that belongs to a user, on gsi1 under `USER#<userId>`, sorted by kind: the profile
 * (`#PROFILE`) before the identities (`IDENTITY#<type>`), then bank links (`ITEM#…`) and
 * sessions (`SESSION#…`).
 */
export const owner = {
  /** The gsi1 partition of a user's records. */
  partition: (userId: string) => `USER#${userId}`,
  /** Pattern: a user's profile and identities (gsi1 sk `#PROFILE` … `IDENTITY#~`). */
  profileAndIdentities: (userId: string): Expression => ({
    expression: 'gsi1pk = :owner AND gsi1sk BETWEEN :from AND :to',
    values: { ':owner': owner.partition(userId), ':from': '#PROFILE', ':to': 'IDENTITY#~' },
  }),
  /**
   * Pattern: a user's profile, identities and sessions (gsi1 sk `#PROFILE` … `SESSION#~`; the
   * bank-link entries between them are filtered out by the caller).
   */
  profileToSessions: (userId: string): Expression => ({
    expression: 'gsi1pk = :owner AND gsi1sk BETWEEN :from AND :to',
    values: { ':owner': owner.partition(userId), ':from': '#PROFILE', ':to': 'SESSION#~' },
  }),
  /** Pattern: a user's sessions started up to one (gsi1 sk `SESSION#` … its sort key). */
  sessionsUpTo: (userId: string, sortKey: string): Expression => ({
    expression: 'gsi1pk = :owner AND gsi1sk BETWEEN :from AND :to',
    values: { ':owner': owner.partition(userId), ':from': 'SESSION#', ':to': sortKey },
  }),
  /** Pattern: a user's records of one kind (gsi1 sk begins with `prefix`). */
  ofKind: (userId: string, prefix: 'SESSION#' | 'ITEM#'): Expression => ({
    expression: 'gsi1pk = :owner AND begins_with(gsi1sk, :kind)',
    values: { ':owner': owner.partition(userId), ':kind': prefix },
  }),
} as const;
