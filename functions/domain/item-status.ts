/** Where a bank link stands. */
export type ItemStatus =
  | 'healthy'
  | 'login_required'
  | 'pending_expiration'
  | 'pending_disconnect'
  | 'revoked'
  | 'error'
  | 'not_found';

/** Statuses that need the user: entering one opens an alert episode. */
export const NEEDS_ACTION: ReadonlySet<ItemStatus> = new Set([
  'login_required',
  'pending_expiration',
  'pending_disconnect',
  'revoked',
  'not_found',
]);

/** What Plaid says about an institution (`/institutions/get_by_id`, item logins), lower-cased. */
export type InstitutionStatus = 'healthy' | 'degraded' | 'down';

/** The message for an Item that needed re-authentication this many times in 30 days. */
export const REPEATED_REAUTH_REASON =
  'Your bank keeps signing this connection out (3 times in 30 days). Reconnect, and if your bank’s app or website lists connected apps, allow ongoing access there so it stays connected.';

const ACT_AT_BANK_REASONS: Record<string, string> = {
  ITEM_LOCKED: 'Your bank account is locked. Unlock it on your bank’s website, then reconnect.',
  USER_SETUP_REQUIRED:
    'Your bank needs you to finish setting up your account on its website, then reconnect.',
  PASSWORD_RESET_REQUIRED: 'Your bank needs you to reset your password on its website, then reconnect.',
  NO_ACCOUNTS: 'We can’t see any accounts at this bank. Reconnect and choose which accounts to share.',
  ACCESS_NOT_GRANTED: 'Reconnect and choose which accounts to share.',
};

/**
 * The sentence a user reads about an Item, from its status and Plaid's error code.
 *
 * @example
 * reasonFor('login_required', 'ITEM_LOGIN_REQUIRED') // 'Your bank needs you to sign in again.'
 */
export function reasonFor(status: ItemStatus, errorCode?: string): string | undefined {
  if (errorCode !== undefined && ACT_AT_BANK_REASONS[errorCode] !== undefined)
    return ACT_AT_BANK_REASONS[errorCode];
  switch (status) {
    case 'healthy':
      return undefined;
    case 'login_required':
      return 'Your bank needs you to sign in again.';
    case 'pending_expiration':
      return 'Your permission to share data from this bank expires soon. Reconnect to keep it working.';
    case 'pending_disconnect':
      return 'This bank will stop sharing data soon. Reconnect to keep it working.';
    case 'revoked':
      return 'Sharing was turned off at your bank. Link the bank again to share again.';
    case 'error':
      return 'Your bank isn’t responding right now. We’ll keep trying; there’s nothing you need to do.';
    case 'not_found':
      return 'This connection no longer exists. Link your bank again.';
  }
}
