import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../../domain/clock';
import type { AuditEvent, SessionRecord } from '../../domain/model';
import type {
  AuthorizationCodeRecord,
  AuthorizationCodeStore,
} from '../../domain/ports/authorization-code-store';
import { auditEventItem, sessionItem } from './items';
import { keys } from './keys';
import { cancellationReasons, stripKeys, type Table } from './table';

/** A used code is remembered this long after it was made, so a late replay still revokes. */
const REMEMBER_SECONDS = 600;

/** One-time authorization codes in DynamoDB, keyed by the SHA-256 of the code. */
export class DynamoAuthorizationCodeStore implements AuthorizationCodeStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: store a new code (PutItem, TTL item). */
  async save(record: AuthorizationCodeRecord): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...keys.authorizationCode(record.codeHash),
          entity: 'authorizationCode',
          ...record,
          expiresAt: epochSeconds(new Date(record.createdAt)) + REMEMBER_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Pattern: a code by its hash (GetItem, consistent). */
  async find(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    const result = await this.table.client.send(
      new GetCommand({
        TableName: this.table.name,
        Key: keys.authorizationCode(codeHash),
        ConsistentRead: true,
      }),
    );
    return result.Item === undefined ? undefined : stripKeys<AuthorizationCodeRecord>(result.Item);
  }

  /**
   * Pattern: redeem a code (TransactWriteItems: mark the code used if unused, valid and bound to
   * the challenge; put the session; put the event).
   */
  async redeem(input: {
    codeHash: string;
    codeChallenge: string;
    now: Date;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<boolean> {
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.name,
                Key: keys.authorizationCode(input.codeHash),
                UpdateExpression: 'SET usedAt = :now, sessionId = :sid',
                ConditionExpression:
                  'attribute_exists(pk) AND attribute_not_exists(usedAt) AND validUntil > :now AND codeChallenge = :challenge AND userId = :uid',
                ExpressionAttributeValues: {
                  ':now': input.now.toISOString(),
                  ':sid': input.session.id,
                  ':challenge': input.codeChallenge,
                  ':uid': input.session.userId,
                },
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: sessionItem(input.session),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: auditEventItem(input.event, this.eventRetentionSeconds),
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      // A failed condition or a conflict with a parallel redemption: either way, not ours.
      if (cancellationReasons(error) !== undefined) return false;
      throw error;
    }
  }
}
