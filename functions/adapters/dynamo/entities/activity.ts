import type { StoredItem } from '../table';
import { owner } from './owner';

/**
 * When the user last signed in: `USER#<id>` / `ACTIVE`. Put by every transaction that starts a
 * session (so it costs no call of its own); refreshes are read from the sessions themselves.
 */
export const activities = {
  key: (userId: string) => ({ pk: owner.partition(userId), sk: 'ACTIVE' }),

  toItem: (userId: string, at: string): StoredItem => ({
    ...activities.key(userId),
    entity: 'activity',
    lastActiveAt: at,
  }),
} as const;
