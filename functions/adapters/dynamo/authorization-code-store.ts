import { InvariantError } from '../../domain/errors';
import type {
  AuthorizationCodeRecord,
  AuthorizationCodeStore,
} from '../../domain/ports/authorization-code-store';
import { authorizationCodes } from './entities/authorization-code';
import { startSession } from './entities/session';
import { conditions } from './expression';
import type { Table } from './table';

/** One-time authorization codes in DynamoDB, keyed by the SHA-256 of the code. */
export class DynamoAuthorizationCodeStore implements AuthorizationCodeStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: store a new code (PutItem, TTL item). */
  async save(record: AuthorizationCodeRecord): Promise<void> {
    if (!(await this.table.put(authorizationCodes.toItem(record), conditions.absent))) {
      throw new InvariantError('An authorization code was reused.');
    }
  }

  /** Pattern: a code by its hash (GetItem, consistent). */
  async find(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    const item = await this.table.get(authorizationCodes.key(codeHash));
    return item === undefined ? undefined : authorizationCodes.fromItem(item);
  }

  /**
   * Pattern: redeem a code (TransactWriteItems: mark the code used if unused, valid and bound to
   * the challenge; put the session; put the event).
   */
  async redeem(input: Parameters<AuthorizationCodeStore['redeem']>[0]): Promise<boolean> {
    const outcome = await startSession(
      this.table.transaction().update(
        authorizationCodes.key(input.codeHash),
        { expression: 'SET usedAt = :now, sessionId = :sid', values: { ':sid': input.session.id } },
        {
          if: {
            expression:
              'attribute_exists(pk) AND attribute_not_exists(usedAt) AND validUntil > :now AND codeChallenge = :challenge AND userId = :uid',
            values: {
              ':now': input.now.toISOString(),
              ':challenge': input.codeChallenge,
              ':uid': input.session.userId,
            },
          },
          name: 'code',
        },
      ),
      input,
      this.eventRetentionSeconds,
    ).run();
    return outcome.ok;
  }
}
