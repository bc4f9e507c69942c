import { randomUUID } from 'node:crypto';
import { addSeconds } from '../../domain/clock';
import { ConflictError, InvariantError, NotFoundError } from '../../domain/errors';
import { failureRecordExpiry, lockStatus } from '../../domain/lockout-policy';
import type { LoginFailureRecord } from '../../domain/model';
import type {
  FailureCount,
  LoginState,
  PasswordAccountStore,
} from '../../domain/ports/password-account-store';
import { auditEvents } from './entities/audit-event';
import { identities } from './entities/identity';
import { loginFailures, unknownUsernameFailures } from './entities/login-failures';
import { startSession } from './entities/session';
import { epochSeconds } from './entities/stored';
import { addIdentity, createUser } from './entities/user';
import { conditions } from './expression';
import type { Table } from './table';

const MAX_COUNT_ATTEMPTS = 4;

type FailureInput = Parameters<PasswordAccountStore['countFailure']>[1];

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
  async createAccount(
    input: Parameters<PasswordAccountStore['createAccount']>[0],
  ): Promise<'created' | 'username_taken'> {
    const outcome = await startSession(
      createUser(this.table.transaction(), input, 'username'),
      input,
      this.eventRetentionSeconds,
    ).run();
    return outcome.ok ? 'created' : 'username_taken';
  }

  /** Pattern: read a username's identity and failure counter (BatchGetItem, consistent). */
  async loadLoginState(username: string): Promise<LoginState> {
    const identityKey = identities.key('password', username);
    const failuresKey = loginFailures.key(username);
    const items = await this.table.getMany([identityKey, failuresKey]);
    const identity = items.find((i) => i.pk === identityKey.pk);
    const failures = items.find((i) => i.pk === failuresKey.pk);
    return {
      identity: identity === undefined ? undefined : identities.fromItem(identity),
      failures: failures === undefined ? undefined : loginFailures.fromItem(failures),
    };
  }

  /**
   * Pattern: count a failed password (UpdateItem ADD with conditions). Continues a live window up
   * to `maxFailures` and never past it; otherwise starts a new window. Usually one write: the
   * caller's `hint` says which case the last read saw, and a race falls through to the other.
   */
  async countFailure(username: string, input: FailureInput): Promise<FailureCount> {
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
    input: FailureInput,
  ): Promise<FailureCount | { outcome: 'start_over' }> {
    const result = await this.table.update(
      loginFailures.key(username),
      {
        expression: 'ADD failures :one SET lastFailureAt = :now, expiresAt = :ttl',
        // The window keeps its end. The item must outlive both that window (which began at or before
        // now, so ends within windowSeconds) and a lock this failure may start; an update cannot
        // take the max of stored values.
        values: {
          ':one': 1,
          ':ttl': epochSeconds(addSeconds(input.now, Math.max(input.windowSeconds, input.lockSeconds))),
        },
      },
      {
        expression:
          'attribute_exists(pk) AND windowEndsAt > :now AND expiresAt > :nowEpoch AND failures < :max',
        values: {
          ':now': input.now.toISOString(),
          ':nowEpoch': epochSeconds(input.now),
          ':max': input.maxFailures,
        },
      },
    );
    if (result.written)
      return { outcome: 'counted', record: loginFailures.fromItem(result.attributes ?? {}) };
    if (result.old === undefined) return { outcome: 'start_over' };
    const record = loginFailures.fromItem(result.old);
    // Refused because the limit was reached by someone else's failure, and the lock still runs.
    if (lockStatus(record, input.now, input).locked) return { outcome: 'already_locked', record };
    return { outcome: 'start_over' };
  }

  private async startWindow(username: string, input: FailureInput): Promise<LoginFailureRecord | undefined> {
    const windowEndsAt = addSeconds(input.now, input.windowSeconds);
    const expiry = failureRecordExpiry(windowEndsAt, input.now, input);
    const record: LoginFailureRecord = {
      failures: 1,
      windowEndsAt: windowEndsAt.toISOString(),
      lastFailureAt: input.now.toISOString(),
      expiresAt: new Date(epochSeconds(expiry) * 1000).toISOString(),
    };
    const written = await this.table.put(loginFailures.toItem(username, record), {
      expression:
        'attribute_not_exists(pk) OR expiresAt <= :nowEpoch OR windowEndsAt <= :now OR (failures >= :max AND lastFailureAt <= :lockCutoff)',
      values: {
        ':now': input.now.toISOString(),
        ':nowEpoch': epochSeconds(input.now),
        ':max': input.maxFailures,
        ':lockCutoff': addSeconds(input.now, -input.lockSeconds).toISOString(),
      },
    });
    return written ? record : undefined;
  }

  /** Pattern: record a failure for a username with no account (PutItem, TTL item). */
  async recordUnknownUsernameFailure(username: string, at: Date): Promise<void> {
    await this.table.put(unknownUsernameFailures.toItem(username, at, randomUUID()));
  }

  /**
   * Pattern: complete a login (TransactWriteItems: put session, put event, delete counter if no
   * lock was set since the reservation).
   */
  async completeLogin(
    input: Parameters<PasswordAccountStore['completeLogin']>[0],
  ): Promise<'completed' | 'locked'> {
    const outcome = await startSession(this.table.transaction(), input, this.eventRetentionSeconds)
      .delete(loginFailures.key(input.username), {
        if: {
          expression: 'attribute_not_exists(pk) OR failures < :max OR failures = :reserved',
          values: { ':max': input.maxFailures, ':reserved': input.reserved },
        },
        name: 'counter',
      })
      .run();
    if (outcome.ok) return 'completed';
    if (outcome.failed === 'counter') return 'locked';
    throw new InvariantError('A session id was reused.');
  }

  /** Pattern: clear the counter after a re-authentication (DeleteItem, if no lock was set meanwhile). */
  async clearFailures(
    input: Parameters<PasswordAccountStore['clearFailures']>[0],
  ): Promise<'cleared' | 'locked'> {
    const cleared = await this.table.delete(loginFailures.key(input.username), {
      expression: 'attribute_not_exists(pk) OR failures < :max OR failures = :reserved',
      values: { ':max': input.maxFailures, ':reserved': input.reserved },
    });
    return cleared ? 'cleared' : 'locked';
  }

  /** Pattern: add a username + password (TransactWriteItems: identity, type guard, user count, event). */
  async addPassword(
    input: Parameters<PasswordAccountStore['addPassword']>[0],
  ): Promise<'added' | 'username_taken' | 'type_taken'> {
    const outcome = await addIdentity(this.table.transaction(), input.identity, 'username')
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    if (outcome.ok) return 'added';
    if (outcome.failed === 'user') throw new NotFoundError('No such user.');
    return outcome.failed === 'type' ? 'type_taken' : 'username_taken';
  }

  /** Pattern: change a password hash (TransactWriteItems: update identity if still the user's, event). */
  async changePassword(input: Parameters<PasswordAccountStore['changePassword']>[0]): Promise<void> {
    const outcome = await this.table
      .transaction()
      .update(
        identities.key('password', input.identity.subject),
        { expression: 'SET passwordHash = :hash', values: { ':hash': input.passwordHash } },
        { if: conditions.ownedBy(input.identity.userId), name: 'identity' },
      )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    if (!outcome.ok) throw new NotFoundError('No password sign-in on this account.');
  }
}
