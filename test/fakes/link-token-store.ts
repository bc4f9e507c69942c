import type { LinkTokenOwner, LinkTokenStore } from '../../functions/domain/ports/link-token-store';

/** {@link LinkTokenStore} in memory, with the adapter's expiry rule. */
export class InMemoryLinkTokenStore implements LinkTokenStore {
  readonly owners = new Map<string, LinkTokenOwner>();

  async remember(tokenHash: string, owner: LinkTokenOwner): Promise<void> {
    this.owners.set(tokenHash, { ...owner });
  }

  async ownerOf(tokenHash: string, now: Date): Promise<LinkTokenOwner | undefined> {
    const owner = this.owners.get(tokenHash);
    return owner === undefined || Date.parse(owner.expiresAt) <= now.getTime() ? undefined : { ...owner };
  }
}
