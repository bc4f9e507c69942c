import type { NoticeLedger } from '../../domain/ports/notice-ledger';
import { securityNotices } from './entities/security-notice';
import type { Table } from './table';

/** Exactly-once bookkeeping of security notices in DynamoDB: a claim, then "sent". */
export class DynamoNoticeLedger implements NoticeLedger {
  constructor(private readonly table: Table) {}

  /** Pattern: claim a notice (PutItem, `attribute_not_exists` or a stale claim). */
  async claim(input: Parameters<NoticeLedger['claim']>[0]): Promise<boolean> {
    return this.table.put(securityNotices.toItem(input), securityNotices.claimable(input.staleBefore));
  }

  /** Pattern: mark a notice sent (UpdateItem if `claimId = :ours`). */
  async complete(input: Parameters<NoticeLedger['complete']>[0]): Promise<void> {
    await this.table.update(
      securityNotices.key(input.eventId, input.channel),
      {
        expression: 'SET #state = :sent, sentAt = :at',
        names: { '#state': 'state' },
        values: { ':sent': 'sent', ':at': input.now.toISOString() },
      },
      securityNotices.heldBy(input.claimId),
    );
  }

  /** Pattern: release a claim after a failed send (DeleteItem if `claimId = :ours`). */
  async release(input: Parameters<NoticeLedger['release']>[0]): Promise<void> {
    await this.table.delete(
      securityNotices.key(input.eventId, input.channel),
      securityNotices.heldBy(input.claimId),
    );
  }
}
