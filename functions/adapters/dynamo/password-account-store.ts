import { randomUUID } from 'node:crypto';
import { BatchGetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { addSeconds, epochSeconds } from '../../domain/clock';
import { ConflictError } from '../../domain/errors';
import { failureRecordExpiry, lockStatus } from '../../domain/lockout-policy';
import type {
  AuditEvent,
  IdentityRecord,
  LoginFailureRecord,
  SessionRecord,
  UserRecord,
} from '../../domain/model';
import type {
  FailureCount,
  LoginState,
  PasswordAccountStore,
} from '../../domain/ports/password-account-store';
import { auditEventItem, identityItem, sessionItem, userItem } from './items';
import { keys } from './keys';
import { failedConditionAt, isConditionFailure, oldItemOf, type Table } from './table';

/** How long a failure of an unknown username is kept, for investigating credential stuffing. */
const UNKNOWN_FAILURE_RETENTION_SECONDS = 30 * 24 * 3600;
const MAX_COUNT_ATTEMPTS = 4;

/**
 * Password accounts and failed-login counters in DynamoDB. Uniqueness of usernames and the
 * failure limit are enforced by conditions, never by read-then-write.
 */
export class DynamoPasswordAccountStore implements PasswordAccountStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: create account (TransactWriteItems: identity, user, session, event). */
  async createAccount(input: {
    user: UserRecord;
    identity: IdentityRecord;
    session: SessionRecord;
    event: AuditEvent;
  }): Promise<'created' | 'username_taken'> {
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.name,
                Item: identityItem(input.identity),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.table.name,
                Item: userItem(input.user),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: this.table.name, Item: sessionItem(input.session) } },
            {
              Put: {
                TableName: this.table.name,
                Item: auditEventItem(input.event, this.eventRetentionSeconds),
              },
            },
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (failedConditionAt(error) === 0) return 'username_taken';
      throw error;
    }
  }

  /** Pattern: read a username's identity and failure counter (BatchGetItem, consistent). */
  async loadLoginState(username: string): Promise<LoginState> {
    const identityKey = keys.identity('password', username);
    const failuresKey = keys.loginFailures(username);
    const result = await this.table.client.send(
      new BatchGetCommand({
        RequestItems: { [this.table.name]: { Keys: [identityKey, failuresKey], ConsistentRead: true } },
      }),
    );
    // Two small items never exceed BatchGetItem's limits, so nothing comes back unprocessed.
    const items = result.Responses?.[this.table.name] ?? [];
    const identity = items.find((i) => i.pk === identityKey.pk);
    const failures = items.find((i) => i.pk === failuresKey.pk);
    return {
      identity: identity === undefined ? undefined : toIdentity(identity),
      failures: failures === undefined ? undefined : toFailures(failures),
    };
  }

  /**
   * Pattern: count a failed password (UpdateItem ADD with conditions). Continues a live window up
   * to `maxFailures` and never past it; otherwise starts a new window. Usually one write: the
   * caller's `hint` says which case the last read saw, and a race falls through to the other.
   */
  async countFailure(
    username: string,
    input: {
      now: Date;
      windowSeconds: number;
      lockSeconds: number;
      maxFailures: number;
      hint?: 'continue' | 'start';
    },
  ): Promise<FailureCount> {
    let step: 'continue' | 'start' = input.hint ?? 'continue';
    for (let attempt = 0; attempt < MAX_COUNT_ATTEMPTS; attempt++) {
      if (step === 'continue') {
        const continued = await this.continueWindow(username, input);
        if (continued.outcome !== 'start_over') return continued;
        step = 'start';
      } else {
        const started = await this.startWindow(username, input);
        if (started !== undefined) return { outcome: 'counted', record: started };
        step = 'continue';
      }
    }
    throw new ConflictError();
  }

  private async continueWindow(
    username: string,
    input: { now: Date; windowSeconds: number; lockSeconds: number; maxFailures: number },
  ): Promise<FailureCount | { outcome: 'start_over' }> {
    const now = input.now.toISOString();
    // The item must outlive both its window (which began at or before now, so ends within
    // windowSeconds) and a lock this failure may start; an update cannot take the max of stored values.
    const keepUntil = addSeconds(input.now, Math.max(input.windowSeconds, input.lockSeconds));
    try {
      const result = await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: keys.loginFailures(username),
          UpdateExpression: 'ADD failures :one SET lastFailureAt = :now, expiresAt = :ttl',
          ConditionExpression:
            'attribute_exists(pk) AND windowEndsAt > :now AND expiresAt > :nowEpoch AND failures < :max',
          ExpressionAttributeValues: {
            ':one': 1,
            ':now': now,
            ':nowEpoch': epochSeconds(input.now),
            ':max': input.maxFailures,
            // The window keeps its end; the item lives until the later of it and a possible lock.
            ':ttl': epochSeconds(keepUntil),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'counted', record: toFailures(result.Attributes ?? {}) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const old = oldItemOf(error);
      if (old === undefined) return { outcome: 'start_over' };
      const record = toFailures(old);
      // Refused because the limit was reached by someone else's failure, and the lock still runs.
      if (lockStatus(record, input.now, input).locked) return { outcome: 'already_locked', record };
      return { outcome: 'start_over' };
    }
  }

  private async startWindow(
    username: string,
    input: { now: Date; windowSeconds: number; lockSeconds: number; maxFailures: number },
  ): Promise<LoginFailureRecord | undefined> {
    const windowEndsAt = addSeconds(input.now, input.windowSeconds);
    const expiry = failureRecordExpiry(windowEndsAt, input.now, input);
    const lockCutoff = addSeconds(input.now, -input.lockSeconds).toISOString();
    const record: LoginFailureRecord = {
      failures: 1,
      windowEndsAt: windowEndsAt.toISOString(),
      lastFailureAt: input.now.toISOString(),
      expiresAt: new Date(epochSeconds(expiry) * 1000).toISOString(),
    };
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.name,
          Item: {
            ...keys.loginFailures(username),
            entity: 'loginFailures',
            failures: 1,
            windowEndsAt: record.windowEndsAt,
            lastFailureAt: record.lastFailureAt,
            expiresAt: epochSeconds(expiry),
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt <= :nowEpoch OR windowEndsAt <= :now OR (failures >= :max AND lastFailureAt <= :lockCutoff)',
          ExpressionAttributeValues: {
            ':now': input.now.toISOString(),
            ':nowEpoch': epochSeconds(input.now),
            ':max': input.maxFailures,
            ':lockCutoff': lockCutoff,
          },
        }),
      );
      return record;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Pattern: record a failure for a username with no account (PutItem, TTL item). */
  async recordUnknownUsernameFailure(username: string, at: Date): Promise<void> {
    const iso = at.toISOString();
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.name,
        Item: {
          ...keys.unknownUsernameFailure(username, iso, randomUUID()),
          entity: 'unknownUsernameFailure',
          at: iso,
          expiresAt: epochSeconds(at) + UNKNOWN_FAILURE_RETENTION_SECONDS,
        },
      }),
    );
  }

  /** Pattern: complete a login (TransactWriteItems: put session, put event, delete counter). */
  async completeLogin(input: { username: string; session: SessionRecord; event: AuditEvent }): Promise<void> {
    await this.table.client.send(
      new TransactWriteCommand({
        TransactItems: [
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
          { Delete: { TableName: this.table.name, Key: keys.loginFailures(input.username) } },
        ],
      }),
    );
  }

  /** Pattern: add a username + password (TransactWriteItems: identity, user count, event). */
  async addPassword(input: {
    identity: IdentityRecord;
    event: AuditEvent;
  }): Promise<'added' | 'username_taken'> {
    try {
      await this.table.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.table.name,
                Item: identityItem(input.identity),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: this.table.name,
                Key: keys.user(input.identity.userId),
                UpdateExpression: 'ADD identityCount :one',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':one': 1 },
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
      return 'added';
    } catch (error) {
      if (failedConditionAt(error) === 0) return 'username_taken';
      throw error;
    }
  }

  /** Pattern: change a password hash (TransactWriteItems: update identity, event). */
  async changePassword(input: {
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
          {
            Put: {
              TableName: this.table.name,
              Item: auditEventItem(input.event, this.eventRetentionSeconds),
            },
          },
        ],
      }),
    );
  }
}

function toIdentity(item: Record<string, unknown>): IdentityRecord {
  return {
    type: item.type as IdentityRecord['type'],
    subject: item.subject as string,
    userId: item.userId as string,
    label: item.label as string,
    linkedAt: item.linkedAt as string,
    ...(typeof item.passwordHash === 'string' ? { passwordHash: item.passwordHash } : {}),
  };
}

function toFailures(item: Record<string, unknown>): LoginFailureRecord {
  return {
    failures: Number(item.failures ?? 0),
    windowEndsAt: String(item.windowEndsAt ?? new Date(0).toISOString()),
    lastFailureAt: String(item.lastFailureAt ?? new Date(0).toISOString()),
    expiresAt: new Date(Number(item.expiresAt ?? 0) * 1000).toISOString(),
  };
}
