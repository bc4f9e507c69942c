import type { UsedCredentialStore } from '../../domain/ports/used-credential-store';
import { epochSeconds } from './entities/stored';
import { usedCredentials } from './entities/used-credential';
import type { Table } from './table';

/** Used id_tokens in DynamoDB: one conditional put each, kept (TTL) until the token expires. */
export class DynamoUsedCredentialStore implements UsedCredentialStore {
  constructor(private readonly table: Table) {}

  /** Pattern: claim a credential (PutItem if absent, or present but past its expiry: TTL lags). */
  async claim(input: Parameters<UsedCredentialStore['claim']>[0]): Promise<boolean> {
    return this.table.put(usedCredentials.toItem(input.key, input.now, input.expiresAt), {
      expression: 'attribute_not_exists(pk) OR expiresAt <= :now',
      values: { ':now': epochSeconds(input.now) },
    });
  }
}
