import type { LinkTokenOwner } from '../../../domain/ports/link-token-store';
import type { StoredItem } from '../table';
import { epochSeconds, isoOfEpoch } from './stored';

/** Who created a new-link token, by the token's hash (TTL item): `LINKTOKEN#<hash>` / `OWNER`. */
export const linkTokens = {
  key: (tokenHash: string) => ({ pk: `LINKTOKEN#${tokenHash}`, sk: 'OWNER' }),

  toItem: (tokenHash: string, owner: LinkTokenOwner): StoredItem => ({
    ...linkTokens.key(tokenHash),
    entity: 'linkToken',
    userId: owner.userId,
    expiresAt: epochSeconds(new Date(owner.expiresAt)),
  }),

  fromItem: (item: StoredItem): LinkTokenOwner => ({
    userId: String(item.userId),
    expiresAt: isoOfEpoch(item.expiresAt),
  }),
} as const;
