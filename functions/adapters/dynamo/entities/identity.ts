import type { IdentityRecord, IdentityType } from '../../../domain/model';
import type { StoredItem } from '../table';
import { identityFailures } from './login-failures';
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

  /** The identity without a failed-password counter the item may carry ({@link identityFailures}). */
  fromItem: (item: StoredItem): IdentityRecord => {
    const record = recordOf<IdentityRecord & Record<string, unknown>>(item);
    for (const attribute of identityFailures.attributes) delete record[attribute];
    return record;
  },
} as const;

/**
 * The one identity of a type a user may have: `USER#<userId>` / `IDTYPE#<type>`, holding the
 * subject. Put with `attribute_not_exists` in the transaction that creates the identity and
 * deleted in the one that unlinks it, so two racing links of one type cannot both succeed.
 * Users created before the guard existed have none: their first guarded write of a type takes it.
 */
export const identityTypes = {
  key: (userId: string, type: IdentityType) => ({ pk: owner.partition(userId), sk: `IDTYPE#${type}` }),

  toItem: (identity: IdentityRecord): StoredItem => ({
    ...identityTypes.key(identity.userId, identity.type),
    entity: 'identity-type',
    userId: identity.userId,
    type: identity.type,
    subject: identity.subject,
  }),
} as const;
