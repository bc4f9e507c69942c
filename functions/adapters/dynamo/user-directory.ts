import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IdentityRecord, UserRecord } from '../../domain/model';
import type { UserDirectory } from '../../domain/ports/user-directory';
import { keys, ranges } from './keys';
import { stripKeys, type Table } from './table';

/** Users with their identities, read in one query of gsi1. */
export class DynamoUserDirectory implements UserDirectory {
  constructor(private readonly table: Table) {}

  /** Pattern: a user's profile and identities (Query gsi1, `USER#<id>`, sk `#PROFILE`…`IDENTITY#~`). */
  async getUser(userId: string): Promise<{ user: UserRecord; identities: IdentityRecord[] } | undefined> {
    const found = await readUserWithIdentities(this.table, userId);
    if (found === undefined) return undefined;
    const identities = found.identities
      .map(({ passwordHash: _never, ...identity }) => identity)
      .sort((a, b) => a.linkedAt.localeCompare(b.linkedAt));
    return { user: found.user, identities };
  }
}

/**
 * A user's profile and identities, password hashes included, in one query of gsi1. Shared by
 * the directory (which strips the hashes) and the identity store (which needs them).
 */
export async function readUserWithIdentities(
  table: Table,
  userId: string,
): Promise<{ user: UserRecord; identities: IdentityRecord[] } | undefined> {
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': keys.userByOwner(userId).gsi1pk,
        ':from': ranges.profileAndIdentities.from,
        ':to': ranges.profileAndIdentities.to,
      },
    }),
  );
  const items = result.Items ?? [];
  const profile = items.find((i) => i.entity === 'user');
  if (profile === undefined) return undefined;
  return {
    user: stripKeys<UserRecord>(profile),
    identities: items.filter((i) => i.entity === 'identity').map((i) => stripKeys<IdentityRecord>(i)),
  };
}
