import type { UserRecord } from './model';

/**
 * The record of a user who has just made their first way in: notifications on, no email yet,
 * one identity.
 *
 * @example
 * const user = newUser({ id: crypto.newId('usr'), displayName: 'alice', now });
 */
export function newUser(input: {
  id: string;
  displayName: string;
  now: Date;
  phone?: string;
  avatarUrl?: string;
}): UserRecord {
  return {
    id: input.id,
    displayName: input.displayName,
    ...(input.avatarUrl === undefined ? {} : { avatarUrl: input.avatarUrl }),
    ...(input.phone === undefined ? {} : { phone: input.phone }),
    emailConfirmed: false,
    notifications: { sms: true, email: true },
    createdAt: input.now.toISOString(),
    identityCount: 1,
  };
}
