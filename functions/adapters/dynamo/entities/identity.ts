import type { IdentityRecord, IdentityType } from '../../../domain/model';
import type { StoredItem } from '../table';
import { owner } from './owner';
import { recordOf } from './stored';

/**
 * One way into one account, under its natural key, which makes it unique:
 * `IDENTITY#<type>#<subject>` / `IDENTITY`, and `IDENTITY#<type>` on the owner's gsi1 partition.
 */
export const identities = {
  key: (type: IdentityType, subject: string) => ({ pk: `IDENTITY#${type}#${subject}`, sk: 'IDENTITY' }),

  toItem: (identity: IdentityRecord): StoredItem => ({
    ...identities.key(identity.type, identity.subject),
    gsi1pk: owner.partition(identity.userId),
    gsi1sk: `IDENTITY#${identity.type}`,
    entity: 'identity',
    ...identity,
  }),

  fromItem: (item: StoredItem): IdentityRecord => recordOf<IdentityRecord>(item),
} as const;
