import { reserveMail } from './email-confirmation';
import { NotFoundError } from './errors';
import type { IdentityDeps } from './manage-identities';
import { type ClientInfo, toUserView, type UserView } from './model';
import type { EmailSubscriptions } from './ports/email-subscriptions';
import type { MailBrake } from './ports/mail-brake';
import type { ProfileStore } from './ports/profile-store';
import { auditEvent } from './session-issuer';

async function currentUser(deps: IdentityDeps, userId: string): Promise<UserView> {
  const found = await deps.users.getUser(userId);
  if (found === undefined) throw new NotFoundError('No such user.');
  return toUserView(found.user, found.identities);
}

/**
 * `PATCH /v1/me`: display name, email (unconfirmed until confirmed), notification channels. An
 * email with email alerts on is subscribed to the alert topic, filtered to this user's events
 * (the provider asks the address to confirm; each such mail counts against the account's mail
 * brake, EMAIL_RATE_LIMITED past it); a changed or removed email, or email alerts turned off,
 * unsubscribes the old one.
 */
export function updateProfile(
  deps: IdentityDeps & { profiles: ProfileStore; emails?: EmailSubscriptions; mailBrake: MailBrake },
) {
  return async (
    userId: string,
    changes: {
      displayName?: string;
      email?: string | null;
      notifications?: { sms?: boolean; email?: boolean };
    },
    client: ClientInfo,
  ): Promise<UserView> => {
    const now = deps.clock.now();
    const fields = Object.keys(changes).filter((k) => changes[k as keyof typeof changes] !== undefined);
    if (fields.length === 0) return currentUser(deps, userId);
    const before = (await deps.users.getUser(userId))?.user;
    if (before === undefined) throw new NotFoundError('No such user.');

    const email = changes.email === undefined ? before.email : (changes.email ?? undefined);
    const emailOn = changes.notifications?.email ?? before.notifications.email;
    const wantSubscription = email !== undefined && emailOn;
    const keep = wantSubscription && email === before.email && before.emailSubscription !== undefined;
    let subscription = keep ? before.emailSubscription : undefined;
    if (deps.emails !== undefined && !keep) {
      // Subscribing mails the address, whoever owns it: counted against the account's brake first.
      if (wantSubscription) {
        await reserveMail(deps, userId);
        subscription = await deps.emails.subscribe(email, userId);
      }
      if (before.emailSubscription !== undefined)
        await deps.emails.unsubscribe(before.emailSubscription).catch(() => undefined);
    }
    // The same address again is no change: it keeps its confirmation.
    const { email: _same, ...others } = changes;
    await deps.profiles.update({
      userId,
      changes: {
        ...(changes.email !== undefined && changes.email === (before.email ?? null) ? others : changes),
        ...(deps.emails === undefined || keep ? {} : { emailSubscription: subscription ?? null }),
      },
      event: auditEvent(deps.crypto, {
        userId,
        type: 'profile.updated',
        now,
        client,
        detail: { fields: fields.join(',') },
      }),
    });
    return currentUser(deps, userId);
  };
}
