import type { ResetLinkStore, StoredResetLink } from '../../domain/ports/reset-link-store';
import { auditEvents } from './entities/audit-event';
import { identities } from './entities/identity';
import { resetLinks } from './entities/reset-link';
import { epochSeconds } from './entities/stored';
import type { Table } from './table';

/** Password-reset links in DynamoDB: one per user, in the user's partition. */
export class DynamoResetLinkStore implements ResetLinkStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: the owner of a username (GetItem `IDENTITY#password#<username>`). */
  async findPasswordOwner(username: string): Promise<string | undefined> {
    const item = await this.table.get(identities.key('password', username));
    return typeof item?.userId === 'string' ? item.userId : undefined;
  }

  /** Pattern: issue a link (TransactWriteItems: put `USER#<id>`/`RESETLINK` over the last one, event). */
  async issue(input: Parameters<ResetLinkStore['issue']>[0]): Promise<void> {
    await this.table
      .transaction()
      .put(resetLinks.toItem(input))
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
  }

  /** Pattern: a user's live link (GetItem, consistent; expired items filtered). */
  async find(userId: string, now: Date): Promise<StoredResetLink | undefined> {
    const item = await this.table.get(resetLinks.key(userId));
    if (item === undefined || Number(item.expiresAt) <= epochSeconds(now)) return undefined;
    return { linkHash: String(item.linkHash), emailHash: String(item.emailHash) };
  }
}
