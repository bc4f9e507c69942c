import { pseudonymisedEvent } from './audit-pseudonyms';
import type { Clock } from './clock';
import { ConfigError, DeletionNotReadyError, PlaidRequestError } from './errors';
import type { AccessTokenCipher } from './ports/access-token-cipher';
import type { AccountDeletionStore } from './ports/account-deletion-store';
import type { AppleTokens } from './ports/apple-tokens';
import type { DeletionWork } from './ports/deletion-queue';
import type { EmailSubscriptions } from './ports/email-subscriptions';
import type { PlaidGateway } from './ports/plaid-gateway';
import type { PlaidItemStore } from './ports/plaid-item-store';
import { providerTokenContext } from './provider-tokens';

/** Plaid's answers to `/item/remove` that mean the Item is already gone: the work is done. */
const ALREADY_REMOVED = new Set(['ITEM_NOT_FOUND', 'INVALID_ACCESS_TOKEN']);

/**
 * How long work may wait for its account's deletion to be written. Work is queued before the
 * deletion's transaction; if that transaction never happens (the request failed), the account
 * still exists and the work is dropped, never done.
 */
const ABANDON_AFTER_MS = 3600_000;

/** Audit events read per query, and rewritten at once, while pseudonymising an account's history. */
const EVENTS_PER_PAGE = 100;
const EVENT_WRITES_AT_ONCE = 25;

export interface DeletionWorkDeps {
  clock: Clock;
  accounts: Pick<AccountDeletionStore, 'isDeleted' | 'eventsToPseudonymise' | 'replaceEvent'>;
  items: Pick<PlaidItemStore, 'get' | 'remove'>;
  plaid: Pick<PlaidGateway, 'removeItem'>;
  cipher: AccessTokenCipher;
  /** Unset without an Apple key: there is then no Apple token to revoke. */
  apple?: AppleTokens;
  emails?: EmailSubscriptions;
}

/** What one piece of work came to. */
export type DeletionWorkOutcome = 'done' | 'already_done' | 'abandoned';

/**
 * Does one piece of a deleted account's work; throws to be tried again (Plaid or Apple down,
 * the deletion not written yet). Idempotent: an Item already removed, a token already revoked
 * (Apple answers 200 for those too), events already pseudonymised are done.
 *
 * @example
 * await performDeletionWork(deps)({ kind: 'plaid-item', userId, itemId, requestedAt });
 */
export function performDeletionWork(deps: DeletionWorkDeps) {
  return async (work: DeletionWork): Promise<DeletionWorkOutcome> => {
    if (!(await deps.accounts.isDeleted(work.userId))) {
      if (deps.clock.now().getTime() - Date.parse(work.requestedAt) > ABANDON_AFTER_MS) return 'abandoned';
      throw new DeletionNotReadyError(work.userId);
    }
    switch (work.kind) {
      case 'plaid-item': {
        const item = await deps.items.get(work.itemId);
        if (item === undefined || item.userId !== work.userId) return 'already_done';
        const accessToken = await deps.cipher.decrypt(item.accessTokenCiphertext, item.itemId);
        try {
          await deps.plaid.removeItem(accessToken);
        } catch (error) {
          if (!(error instanceof PlaidRequestError && ALREADY_REMOVED.has(error.plaidCode))) throw error;
        }
        await deps.items.remove(item, {
          type: 'removed',
          at: deps.clock.now().toISOString(),
          source: 'account_deletion',
        });
        return 'done';
      }
      case 'apple-token': {
        if (deps.apple === undefined)
          throw new ConfigError(
            'Invalid configuration: an Apple token is to be revoked but APPLE_TEAM_ID is not set',
          );
        const refreshToken = await deps.cipher.decrypt(
          work.token.ciphertext,
          providerTokenContext('apple', work.subject),
        );
        await deps.apple.revoke({ refreshToken, clientId: work.token.clientId });
        return 'done';
      }
      case 'email-subscription':
        if (deps.emails === undefined) return 'already_done';
        await deps.emails.unsubscribe(work.subscription);
        return 'done';
      case 'audit-events':
        return (await pseudonymiseHistory(deps, work.userId)) === 0 ? 'already_done' : 'done';
    }
  };
}

/**
 * Rewrites every audit event of a deleted account not yet pseudonymised, page by page; answers
 * how many it rewrote. Progress is kept event by event (a rewritten event is no longer read), so
 * a retry after a failure or a timeout goes on where this one stopped, and a retry after success
 * finds nothing to do.
 */
async function pseudonymiseHistory(deps: DeletionWorkDeps, userId: string): Promise<number> {
  let rewritten = 0;
  let after: string | undefined;
  do {
    const page = await deps.accounts.eventsToPseudonymise(userId, {
      limit: EVENTS_PER_PAGE,
      ...(after === undefined ? {} : { after }),
    });
    for (let i = 0; i < page.events.length; i += EVENT_WRITES_AT_ONCE) {
      const batch = page.events.slice(i, i + EVENT_WRITES_AT_ONCE);
      await Promise.all(batch.map((event) => deps.accounts.replaceEvent(pseudonymisedEvent(event))));
      rewritten += batch.length;
    }
    after = page.next;
  } while (after !== undefined);
  return rewritten;
}
