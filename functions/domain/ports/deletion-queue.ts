import type { ProviderToken } from '../model';

/**
 * One piece of work a deleted account leaves for after the request: each is idempotent, so a
 * retry after a partial success does no harm.
 */
export type DeletionWork =
  /** Remove a bank link at Plaid (`/item/remove`) and in the table. */
  | { kind: 'plaid-item'; userId: string; itemId: string; requestedAt: string }
  /** Revoke Apple's refresh token at Apple (`/auth/revoke`). */
  | { kind: 'apple-token'; userId: string; subject: string; token: ProviderToken; requestedAt: string }
  /** Remove the email's alert-topic subscription (when it could not be removed at once). */
  | { kind: 'email-subscription'; userId: string; subscription: string; requestedAt: string }
  /** Strip the account's kept audit events of personal data (`domain/audit-pseudonyms.ts`). */
  | { kind: 'audit-events'; userId: string; requestedAt: string };

/** The durable queue of deletion work: SQS with a DLQ in AWS, in-process with retries locally. */
export interface DeletionQueue {
  enqueue(work: DeletionWork[]): Promise<void>;
}
