import type { Clock } from './clock';
import { NotFoundError } from './errors';
import type { ClientInfo } from './model';
import type { AccountDeletionStore } from './ports/account-deletion-store';
import type { DeletionQueue, DeletionWork } from './ports/deletion-queue';
import type { EmailSubscriptions } from './ports/email-subscriptions';
import type { PlaidItemStore } from './ports/plaid-item-store';
import type { SecurityNotifier } from './ports/security-notifier';
import type { SessionStore } from './ports/session-store';
import type { TokenCrypto } from './ports/token-crypto';
import type { UserDirectory } from './ports/user-directory';
import { revokeLiveSessions } from './revoke-sessions';
import { verifiedPhone } from './security-notices';
import { auditEvent } from './session-issuer';

export interface DeleteAccountDeps {
  clock: Clock;
  crypto: TokenCrypto;
  users: UserDirectory;
  accounts: AccountDeletionStore;
  sessions: SessionStore;
  items: Pick<PlaidItemStore, 'listIdsForUser'>;
  queue: DeletionQueue;
  emails?: EmailSubscriptions;
  /** Tells the user the deletion was requested (to the phone the account had, and the alert topic). */
  notify?: SecurityNotifier;
}

/**
 * `DELETE /v1/me` (App Store Review Guideline 5.1.1(v), Google Play's account-deletion policy).
 * In the request: the work that needs third parties — each bank link's removal at Plaid, the
 * revocation of Apple's refresh token — is queued first (durably, before the point of no return;
 * the worker waits for the deletion to be written); then one transaction deletes the profile and
 * every identity, so the username, phone and provider subjects can start a new account at once,
 * and leaves a tombstone; then the user is told (`deletion_requested`, to the phone the account
 * had and on the alert topic), every session is revoked and the alert email unsubscribed. The
 * account never comes back: its id is never reused and nothing can link to a deleted profile.
 * Audit events stay under the account's random id (a pseudonym once the profile is gone) until
 * their retention ends, stripped of the client's IP address, user agent and personal details by
 * the queued `audit-events` work (`audit-pseudonyms.ts`).
 *
 * @example
 * const { deletedAt } = await deleteAccount(deps)(userId, client);
 */
export function deleteAccount(deps: DeleteAccountDeps) {
  return async (userId: string, client: ClientInfo): Promise<{ deletedAt: string }> => {
    const now = deps.clock.now();
    const requestedAt = now.toISOString();
    const found = await deps.users.getUser(userId);
    if (found === undefined) throw new NotFoundError('No such user.');
    const items = await deps.items.listIdsForUser(userId);
    const work: DeletionWork[] = [
      ...items.map((itemId): DeletionWork => ({ kind: 'plaid-item', userId, itemId, requestedAt })),
      ...found.identities.flatMap((identity): DeletionWork[] =>
        identity.providerToken === undefined
          ? []
          : [
              {
                kind: 'apple-token',
                userId,
                subject: identity.subject,
                token: identity.providerToken,
                requestedAt,
              },
            ],
      ),
    ];
    // Always: the account's audit events are kept, stripped of personal data, once it is deleted.
    await deps.queue.enqueue([...work, { kind: 'audit-events', userId, requestedAt }]);

    const event = auditEvent(deps.crypto, {
      userId,
      type: 'account.deleted',
      now,
      client,
      detail: { bankLinks: items.length, appleTokens: work.length - items.length },
    });
    const outcome = await deps.accounts.deleteAccount({
      user: found.user,
      identities: found.identities,
      deletedAt: now,
      event,
    });
    if (outcome === 'gone') throw new NotFoundError('No such user.');

    // To the number the account had (read before it was freed), and on the topic before the
    // alert email is unsubscribed below.
    await deps.notify?.({
      eventId: event.id,
      userId,
      kind: 'deletion_requested',
      phone: verifiedPhone(found.identities),
    });

    // Written after the deletion, so born pseudonymised: the queued pseudonymising may have run.
    await revokeLiveSessions(deps, { userId, now, reason: 'account_deleted', pseudonymous: true });

    const subscription = found.user.emailSubscription;
    if (subscription !== undefined && deps.emails !== undefined) {
      // Removed now if SNS answers; otherwise by the queue, with its retries.
      await deps.emails
        .unsubscribe(subscription)
        .catch(() => deps.queue.enqueue([{ kind: 'email-subscription', userId, subscription, requestedAt }]));
    }
    return { deletedAt: requestedAt };
  };
}
