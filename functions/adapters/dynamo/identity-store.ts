import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, IdentityRecord, IdentityType } from '../../domain/model';
import type { IdentityStore } from '../../domain/ports/identity-store';
import type { PhoneAccountStore } from '../../domain/ports/phone-account-store';
import type { ProfileStore } from '../../domain/ports/profile-store';
import type { SocialIdentityStore } from '../../domain/ports/social-identity-store';
import { auditEventItem, identityItem, sessionItem, userItem } from './items';
import { keys } from './keys';
import { failedConditionAt, stripKeys, type Table } from './table';

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/**
 * Identities and the account changes that must be atomic: consuming an SMS code together with
 * what it proves, and keeping `identityCount` so the last way in can never be removed.
 */
export class DynamoIdentityStore
  implements PhoneAccountStore, IdentityStore, ProfileStore, SocialIdentityStore
{
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: sign in with a code (TransactWriteItems: consume code, put session, put event). */
  async signIn(input: Parameters<PhoneAccountStore['signIn']>[0]): Promise<'signed_in' | 'code_gone'> {
    const result = await this.write([
      this.consumeCode(input.phone, input.codeId, input.maxAttempts),
      this.put(sessionItem(input.session), 'attribute_not_exists(pk)'),
      this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
    ]);
    return result === 'ok' ? 'signed_in' : 'code_gone';
  }

  /** Pattern: create a user with a code (TransactWriteItems: consume code, user, identity, session, event). */
  async createAccount(
    input: Parameters<PhoneAccountStore['createAccount']>[0],
  ): Promise<'created' | 'code_gone' | 'phone_taken'> {
    const result = await this.write([
      this.consumeCode(input.phone, input.codeId, input.maxAttempts),
      this.put(identityItem(input.identity), 'attribute_not_exists(pk)'),
      this.put(userItem(input.user), 'attribute_not_exists(pk)'),
      this.put(sessionItem(input.session), 'attribute_not_exists(pk)'),
      this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
    ]);
    return result === 'ok' ? 'created' : result === 'code_gone' ? 'code_gone' : 'phone_taken';
  }

  /** Pattern: link a phone with a code (TransactWriteItems: consume code, identity, user, old phone, event). */
  async linkPhone(
    input: Parameters<PhoneAccountStore['linkPhone']>[0],
  ): Promise<'linked' | 'code_gone' | 'phone_taken'> {
    const userId = input.identity.userId;
    const result = await this.write([
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
    return result === 'ok' ? 'linked' : result === 'code_gone' ? 'code_gone' : 'phone_taken';
  }

  /** Pattern: an identity by its natural key (GetItem, consistent). */
  async findIdentity(type: IdentityType, subject: string): Promise<IdentityRecord | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.name, Key: keys.identity(type, subject), ConsistentRead: true }),
    );
    return result.Item === undefined ? undefined : stripKeys<IdentityRecord>(result.Item);
  }

  /** Pattern: create a user with a third-party identity (TransactWriteItems: identity, user, event). */
  async createUserWithIdentity(
    input: Parameters<SocialIdentityStore['createUserWithIdentity']>[0],
  ): Promise<'created' | 'identity_taken'> {
    const result = await this.write(
      [
        this.put(identityItem(input.identity), 'attribute_not_exists(pk)'),
        this.put(userItem(input.user), 'attribute_not_exists(pk)'),
        this.put(auditEventItem(input.event, this.eventRetentionSeconds)),
      ],
      false,
    );
    return result === 'ok' ? 'created' : 'identity_taken';
  }

  /** Pattern: link an identity (TransactWriteItems: identity, user count or old identity, event). */
  async linkIdentity(
    input: Parameters<SocialIdentityStore['linkIdentity']>[0],
  ): Promise<'linked' | 'identity_taken'> {
    const userId = input.identity.userId;
    const result = await this.write(
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
    return result === 'ok' ? 'linked' : 'identity_taken';
  }

  /** Pattern: unlink an identity (TransactWriteItems: delete identity, decrement count unless last, event). */
  async unlink(input: {
    identity: IdentityRecord;
    event: AuditEvent;
  }): Promise<'unlinked' | 'last' | 'gone'> {
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
      return 'unlinked';
    } catch (error) {
      const failed = failedConditionAt(error);
      if (failed === 0) return 'gone';
      if (failed === 1) return 'last';
      throw error;
    }
  }

  /** Pattern: update a profile (TransactWriteItems: update user, event). */
  async update(input: Parameters<ProfileStore['update']>[0]): Promise<void> {
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
  private async write(
    items: TransactItem[],
    consumesCode = true,
  ): Promise<'ok' | 'code_gone' | 'identity_taken'> {
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
