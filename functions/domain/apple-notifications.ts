import type { Clock } from './clock';
import type { AppleNotificationVerifier } from './ports/apple-notification-verifier';
import type { IdentityStore } from './ports/identity-store';
import type { SessionStore } from './ports/session-store';
import type { SocialIdentityStore } from './ports/social-identity-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { revokeLiveSessions } from './revoke-sessions';
import { auditEvent } from './session-issuer';

export interface AppleNotificationDeps {
  clock: Clock;
  crypto: TokenCrypto;
  verifier: AppleNotificationVerifier;
  identities: Pick<SocialIdentityStore, 'findIdentity'>;
  unlinker: IdentityStore;
  users: UserDirectory;
  sessions: SessionStore;
  /** Turns alert emails on or off for the user (the alert topic's subscription follows). */
  setEmailDelivery: (userId: string, on: boolean) => Promise<void>;
}

/** What a notification did. */
export type AppleNotificationOutcome = 'unlinked' | 'signed_out' | 'email_updated' | 'ignored';

/**
 * `POST /v1/apple/notifications`: Sign in with Apple's server-to-server notifications.
 *
 * - `consent-revoked` (the user stopped using Apple with our app) and `account-delete` (they
 *   deleted their Apple account): the Apple identity is unlinked (its Apple token, already dead
 *   at Apple, goes with it). When it was the only way in, every session is revoked too: the
 *   account waits for the user to come back another way, or for deletion.
 * - `email-disabled` / `email-enabled` (the user turned Hide My Email forwarding off or on): alert
 *   emails to that address stop or resume.
 *
 * Notifications for an unknown Apple user, or about another address than the account's, change
 * nothing; Apple gets 200 either way (it retries anything else).
 *
 * @example
 * await receiveAppleNotification(deps)(body.payload); // 'unlinked'
 */
export function receiveAppleNotification(deps: AppleNotificationDeps) {
  return async (payload: string): Promise<{ type?: string; outcome: AppleNotificationOutcome }> => {
    const event = await deps.verifier.verify(payload);
    if (event === undefined) return { outcome: 'ignored' };
    const identity = await deps.identities.findIdentity('apple', event.subject);
    if (identity === undefined) return { type: event.type, outcome: 'ignored' };
    const { userId } = identity;
    const found = await deps.users.getUser(userId);
    if (found === undefined) return { type: event.type, outcome: 'ignored' };
    const now = deps.clock.now();

    if (event.type === 'email-disabled' || event.type === 'email-enabled') {
      const email = found.user.email;
      if (
        email === undefined ||
        (event.email !== undefined && event.email.toLowerCase() !== email.toLowerCase())
      )
        return { type: event.type, outcome: 'ignored' };
      await deps.setEmailDelivery(userId, event.type === 'email-enabled');
      return { type: event.type, outcome: 'email_updated' };
    }

    const onlyWayIn = found.identities.every((i) => i.type === 'apple');
    const unlinked = await deps.unlinker.unlink({
      identity,
      evenLast: true,
      event: auditEvent(deps.crypto, {
        userId,
        type: 'identity.unlinked',
        now,
        detail: { type: 'apple', by: 'apple', reason: event.type },
      }),
    });
    if (unlinked !== 'unlinked') return { type: event.type, outcome: 'ignored' };
    if (!onlyWayIn) return { type: event.type, outcome: 'unlinked' };
    await revokeLiveSessions(deps, { userId, now, reason: 'provider_consent_revoked' });
    return { type: event.type, outcome: 'signed_out' };
  };
}
