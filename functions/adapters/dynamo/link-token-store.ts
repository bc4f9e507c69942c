import type { LinkTokenOwner, LinkTokenStore } from '../../domain/ports/link-token-store';
import { linkTokens } from './entities/link-token';
import type { Table } from './table';

/** Link tokens' owners in the one table, each gone with its token (TTL). */
export class DynamoLinkTokenStore implements LinkTokenStore {
  constructor(private readonly table: Table) {}

  /** Pattern: remember a link token's owner (PutItem, `LINKTOKEN#<hash>`). */
  async remember(tokenHash: string, owner: LinkTokenOwner): Promise<void> {
    await this.table.put(linkTokens.toItem(tokenHash, owner));
  }

  /** Pattern: a link token's owner (GetItem, consistent; an expired one counts as gone). */
  async ownerOf(tokenHash: string, now: Date): Promise<LinkTokenOwner | undefined> {
    const item = await this.table.get(linkTokens.key(tokenHash));
    if (item === undefined) return undefined;
    const owner = linkTokens.fromItem(item);
    return Date.parse(owner.expiresAt) <= now.getTime() ? undefined : owner;
  }
}
