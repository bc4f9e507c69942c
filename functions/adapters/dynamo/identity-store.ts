import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, IdentityRecord, IdentityType } from '../../domain/model';
import type { ConsumeResult, IdentityStore, SocialIdentityStore } from '../../domain/ports';
import { auditEventItem, identityItem, sessionItem, userItem } from './items';
import { keys } from './keys';
import { failedConditionAt, stripKeys, type Table } from './table';
import { readUserWithIdentities } from './user-directory';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/**
 * Identities and the account changes that must be atomic: consuming an SMS code together with
 * what it proves, and keeping `identityCount` so the last way in can never be removed.
 */
export class DynamoIdentityStore implements IdentityStore, SocialIdentityStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: sign in with a code (TransactWriteItems: consume code, put session, put event). */
  signInWithCode(input: Parameters<IdentityStore['signInWithCode']>[0]): Promise<ConsumeResult> {
    return this.write([
      this.consumeCode(input.phone, input.codeId, input.maxAttempts),
      this.put(sessionItem(input.session), 'attribute_not_exists(pk)'),
      this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
    ]);
  }

  /** Pattern: create a user with a code (TransactWriteItems: consume code, user, identity, session, event). */
  createWithCode(input: Parameters<IdentityStore['createWithCode']>[0]): Promise<ConsumeResult> {
    return this.write([
      this.consumeCode(input.phone, input.codeId, input.maxAttempts),
      this.put(identityItem(input.identity), 'attribute_not_exists(pk)'),
      this.put(userItem(input.user), 'attribute_not_exists(pk)'),
      this.put(sessionItem(input.session), 'attribute_not_exists(pk)'),
      this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
    ]);
  }

  /** Pattern: link a phone with a code (TransactWriteItems: consume code, identity, user, old phone, event). */
  linkPhoneWithCode(input: Parameters<IdentityStore['linkPhoneWithCode']>[0]): Promise<ConsumeResult> {
    const userId = input.identity.userId;
    return this.write([
      this.consumeCode(input.phone, input.codeId, input.maxAttempts),
      this.put(identityItem(input.identity), 'attribute_not_exists(pk)'),
      {
        Update: {
          TableName: this.table.name,
          Key: keys.user(userId),
          UpdateExpression:
            input.replaced === undefined ? 'SET phone = :phone ADD identityCount :one' : 'SET phone = :phone',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':phone': input.identity.subject,
            ...(input.replaced === undefined ? { ':one': 1 } : {}),
          },
        },
      },
      ...(input.replaced === undefined
        ? []
        : [
            {
              Delete: {
                TableName: this.table.name,
                Key: keys.identity('phone', input.replaced.subject),
                ConditionExpression: 'userId = :uid',
                ExpressionAttributeValues: { ':uid': userId },
              },
            },
          ]),
      this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
    ]);
  }

  /** Pattern: an identity by its natural key (GetItem, consistent). */
  async findIdentity(type: IdentityType, subject: string): Promise<IdentityRecord | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.identity(type, subject), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : stripKeys<IdentityRecord>(result.Item);
  }

  /** Pattern: create a user with a third-party identity (TransactWriteItems: identity, user, event). */
  createUserWithIdentity(
    input: Parameters<SocialIdentityStore['createUserWithIdentity']>[0],
  ): Promise<ConsumeResult> {
    return this.write(
      [
        this.put(identityItem(input.identity), 'attribute_not_exists(pk)'),
        this.put(userItem(input.user), 'attribute_not_exists(pk)'),
        this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
      ],
      false,
    );
  }

  /** Pattern: link an identity (TransactWriteItems: identity, user count or old identity, event). */
  linkIdentity(input: Parameters<SocialIdentityStore['linkIdentity']>[0]): Promise<ConsumeResult> {
    const userId = input.identity.userId;
    return this.write(
      [
        this.put(identityItem(input.identity), 'attribute_not_exists(pk)'),
        input.replaced === undefined
          ? this.adjustCount(userId, 1)
          : {
              Delete: {
                TableName: this.table.name,
                Key: keys.identity(input.replaced.type, input.replaced.subject),
                ConditionExpression: 'userId = :uid',
                ExpressionAttributeValues: { ':uid': userId },
              },
            },
        this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
      ],
      false,
    );
  }

  /** Pattern: a user with identities and credentials (Query gsi1, as `DynamoUserDirectory.getUser`). */
  getUserWithCredentials(userId: string) {
    return readUserWithIdentities(this.table, userId);
  }

  /** Pattern: add a username + password (TransactWriteItems: identity, user count, event). */
  addPasswordIdentity(input: { identity: IdentityRecord; event: AuditEvent }): Promise<ConsumeResult> {
    return this.write(
      [
        this.put(identityItem(input.identity), 'attribute_not_exists(pk)'),
        this.adjustCount(input.identity.userId, 1),
        this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
      ],
      false,
    );
  }

  /** Pattern: change a password hash (TransactWriteItems: update identity, event). */
  async changePasswordHash(input: {
    identity: IdentityRecord;
    passwordHash: string;
    event: AuditEvent;
  }): Promise<void> {
    await this.table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.table.name,
              Key: keys.identity('password', input.identity.subject),
              UpdateExpression: 'SET passwordHash = :hash',
              ConditionExpression: 'userId = :uid',
              ExpressionAttributeValues: { ':hash': input.passwordHash, ':uid': input.identity.userId },
            },
          },
          this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
        ],
      }),
    );
  }

  /** Pattern: unlink an identity (TransactWriteItems: delete identity, decrement count unless last, event). */
  async unlinkIdentity(input: {
    identity: IdentityRecord;
    event: AuditEvent;
  }): Promise<'ok' | 'last' | 'gone'> {
    const userId = input.identity.userId;
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.table.name,
                Key: keys.identity(input.identity.type, input.identity.subject),
                ConditionExpression: 'userId = :uid',
                ExpressionAttributeValues: { ':uid': userId },
              },
            },
            {
              Update: {
                TableName: this.table.name,
                Key: keys.user(userId),
                UpdateExpression: `ADD identityCount :minus${input.identity.type === 'phone' ? ' REMOVE phone' : ''}`,
                ConditionExpression: 'identityCount > :one',
                ExpressionAttributeValues: { ':minus': -1, ':one': 1 },
              },
            },
            this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
          ],
        }),
      );
      return 'ok';
    } catch (error) {
      const failed = failedConditionAt(error);
      if (failed === 0) return 'gone';
      if (failed === 1) return 'last';
      throw error;
    }
  }

  /** Pattern: update a profile (TransactWriteItems: update user, event). */
  async updateProfile(input: Parameters<IdentityStore['updateProfile']>[0]): Promise<void> {
    const sets: string[] = [];
    const removes: string[] = [];
    const values: Record<string, unknown> = {};
    const { displayName, email, notifications, emailSubscription } = input.changes;
    if (emailSubscription === null) removes.push('emailSubscription');
    if (typeof emailSubscription === 'string') {
      sets.push('emailSubscription = :subscription');
      values[':subscription'] = emailSubscription;
    }
    if (displayName !== undefined) {
      sets.push('displayName = :name');
      values[':name'] = displayName;
    }
    if (email === null) removes.push('email');
    if (email !== undefined) {
      if (email !== null) {
        sets.push('email = :email');
        values[':email'] = email;
      }
      sets.push('emailConfirmed = :false');
      values[':false'] = false;
    }
    for (const channel of ['sms', 'email'] as const) {
      if (notifications?.[channel] === undefined) continue;
      sets.push(`notifications.${channel} = :${channel}`);
      values[`:${channel}`] = notifications[channel];
    }
    const expression = [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    await this.table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.table.name,
              Key: keys.user(input.userId),
              UpdateExpression: expression,
              ConditionExpression: 'attribute_exists(pk)',
              ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
            },
          },
          this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
        ],
      }),
    );
  }

  private consumeCode(phone: string, codeId: string, maxAttempts: number): TransactItem {
    return {
      Delete: {
        TableName: this.table.name,
        Key: keys.smsCode(phone),
        ConditionExpression: 'codeId = :id AND attempts < :max',
        ExpressionAttributeValues: { ':id': codeId, ':max': maxAttempts },
      },
    };
  }

  private adjustCount(userId: string, delta: number): TransactItem {
    return {
      Update: {
        TableName: this.table.name,
        Key: keys.user(userId),
        UpdateExpression: 'ADD identityCount :delta',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':delta': delta },
      },
    };
  }

  private put(item: Record<string, unknown>, condition?: string): TransactItem {
    return {
      Put: {
        TableName: this.table.name,
        Item: item,
        ...(condition ? { ConditionExpression: condition } : {}),
      },
    };
  }

  /**
   * Runs a transaction. When its first item consumes a code, a failure there (or a conflict with
   * a parallel use of the same code) is `code_gone`; any other failed condition is an identity
   * that already exists: `identity_taken`.
   */
  private async write(items: TransactItem[], consumesCode = true): Promise<ConsumeResult> {
    try {
      await this.table.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'ok';
    } catch (error) {
      const failed = failedConditionAt(error);
      if (failed === undefined) throw error;
      if (consumesCode && failed <= 0) return 'code_gone';
      if (failed === -1) throw error;
      return 'identity_taken';
    }
  }
}
