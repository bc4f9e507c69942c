import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { IdentityRecord, UserRecord } from '../../domain/model';
import type { UserDirectory } from '../../domain/ports';
import { keys, ranges } from './keys';
import { stripKeys, type Table } from './table';

/** Users with their identities, read in one query of gsi1. */
export class DynamoUserDirectory implements UserDirectory {
  constructor(private readonly table: Table) {}

  /** Pattern: a user's profile and identities (Query gsi1, `USER#<id>`, sk `#PROFILE`…`IDENTITY#~`). */
  async getUser(userId: string): Promise<{ user: UserRecord; identities: IdentityRecord[] } | undefined> {
    const result = await this.table.client.send(
      new QueryCommand({
        TableName: this.table.name,
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
    const identities = items
      .filter((i) => i.entity === 'identity')
      .map((i) => {
        const { passwordHash: _never, ...identity } = stripKeys<IdentityRecord>(i);
        return identity;
      })
      .sort((a, b) => a.linkedAt.localeCompare(b.linkedAt));
    return { user: stripKeys<UserRecord>(profile), identities };
  }
}
