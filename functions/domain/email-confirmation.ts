import type { Clock } from './clock';
import { AppError } from './errors';
import type { ClientInfo, UserRecord } from './model';
import type { EmailSubscriptions } from './ports/email-subscriptions';
import type { MailBrake, MailLimits } from './ports/mail-brake';
import type { ProfileStore } from './ports/profile-store';
import type { TokenCrypto } from './ports/token-crypto';
import { auditEvent } from './session-issuer';

/**
 * At most 3 mails an hour and 10 a UTC day caused by one account (confirmation mails of the
 * addresses it gives, password-reset links): enough for typos, useless for mail-bombing.
 */
export const MAIL_LIMITS: MailLimits = { perHour: 3, perDay: 10 };

/**
 * Counts one mail against the account's brake; EMAIL_RATE_LIMITED (429, with Retry-After)
 * when a window is spent.
 */
export async function reserveMail(
  deps: { mailBrake: MailBrake; clock: Clock },
  userId: string,
): Promise<void> {
  const reservation = await deps.mailBrake.reserve({ userId, now: deps.clock.now(), limits: MAIL_LIMITS });
  if (!reservation.allowed) {
    throw new AppError('EMAIL_RATE_LIMITED', 'Too many emails for this account. Wait before trying again.', {
      retryAfterSeconds: reservation.retryAfterSeconds,
    });
  }
}

/**
 * `emailConfirmed` follows the alert topic's subscription: while the user's email is
 * unconfirmed and subscribed, asks the provider whether the address followed its confirmation
 * link, and records it (only if the subscription is still the one asked about). Answers the user
 * as it now is. Without a subscription there is nothing to confirm: alerts could not reach it.
 *
 * @example
 * const user = await syncEmailConfirmation(deps)(found.user, client);
 */
export function syncEmailConfirmation(deps: {
  emails: EmailSubscriptions;
  profiles: ProfileStore;
  crypto: TokenCrypto;
  clock: Clock;
}) {
  return async (user: UserRecord, client: ClientInfo = {}): Promise<UserRecord> => {
    const subscription = user.emailSubscription;
    if (user.emailConfirmed || user.email === undefined || subscription === undefined) return user;
    if (!(await deps.emails.isConfirmed(subscription))) return user;
    const confirmed = await deps.profiles.confirmEmail({
      userId: user.id,
      subscription,
      event: auditEvent(deps.crypto, {
        userId: user.id,
        type: 'email.confirmed',
        now: deps.clock.now(),
        client,
      }),
    });
    return confirmed ? { ...user, emailConfirmed: true } : user;
  };
}
