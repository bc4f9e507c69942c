import { InProcessDeletionQueue, SqsDeletionQueue } from '../adapters/deletion-queues';
import { DynamoAccountDeletionStore } from '../adapters/dynamo/account-deletion-store';
import { nodeTokenCrypto } from '../adapters/node-token-crypto';
import { deleteAccount } from '../domain/delete-account';
import { performDeletionWork } from '../domain/deletion-work';
import type { DeletionQueue } from '../domain/ports/deletion-queue';
import { sessions, table, users } from './accounts';
import { aws } from './aws';
import { plaid, plaidItems } from './bank-links';
import { emailSubscriptions } from './identities';
import { currentRuntime, memo } from './runtime';
import { notifyUser } from './security-notices';
import { appleTokens } from './social';
import { tokenCipher } from './token-cipher';

/** Tries of a piece of deletion work locally before it is dead-lettered (SQS: `maxReceiveCount`). */
export const LOCAL_DELETION_ATTEMPTS = 5;

const accountDeletions = () =>
  memo(
    'accountDeletions',
    ({ config }) => new DynamoAccountDeletionStore(table(), config.eventRetentionSeconds),
  );

/**
 * SQS in AWS (`DELETION_QUEUE_URL`); locally the in-process queue the local runtime provides
 * ({@link provideDeletionQueue}), or one of its own.
 */
export const deletionQueue = (): DeletionQueue =>
  memo('deletionQueue', ({ config }) => {
    const { queueUrl } = config.deletionQueue;
    if (queueUrl !== undefined) return new SqsDeletionQueue(queueUrl, aws().sqs);
    return new InProcessDeletionQueue((work) => performDeletionWorkUseCase()(work), {
      maxAttempts: LOCAL_DELETION_ATTEMPTS,
      backoffMs: (attempt) => 200 * 2 ** (attempt - 1),
    });
  });

/** The local runtime hands in its queue (which runs the work as the worker function). */
export function provideDeletionQueue(queue: DeletionQueue): void {
  currentRuntime().built.set('deletionQueue', queue);
}

/** `DELETE /v1/me`. */
export const deleteAccountUseCase = () =>
  deleteAccount({
    clock: currentRuntime().clock,
    crypto: nodeTokenCrypto,
    users: users(),
    accounts: accountDeletions(),
    sessions: sessions(),
    items: plaidItems(),
    queue: deletionQueue(),
    notify: notifyUser,
    ...emailSubscriptions(),
  });

/** The deletion queue's worker: one piece of a deleted account's work. */
export const performDeletionWorkUseCase = () => {
  const apple = appleTokens();
  return performDeletionWork({
    clock: currentRuntime().clock,
    accounts: accountDeletions(),
    items: plaidItems(),
    // Built on first use: work for an account without bank links never needs Plaid's settings.
    plaid: { removeItem: (accessToken) => plaid().removeItem(accessToken) },
    cipher: tokenCipher,
    ...(apple === undefined ? {} : { apple: apple.tokens }),
    ...emailSubscriptions(),
  });
};
