import { addSeconds } from '../../domain/clock';
import { ConflictError, InvariantError, NotFoundError } from '../../domain/errors';
import { continuesWindow, failureRecordExpiry, lockStatus } from '../../domain/lockout-policy';
import type { LoginFailureRecord } from '../../domain/model';
import type {
  AttemptInput,
  PasswordAccountStore,
  Reservation,
} from '../../domain/ports/password-account-store';
import { auditEvents } from './entities/audit-event';
import { identities } from './entities/identity';
import { identityFailures, loginFailures } from './entities/login-failures';
import { startSession } from './entities/session';
import { epochSeconds } from './entities/stored';
import { addIdentity, createUser } from './entities/user';
import { conditions } from './expression';
import type { Table } from './table';

const MAX_COUNT_ATTEMPTS = 4;

/** A counter write's outcome: counted, locked by others, or to be tried the other way. */
type Step = Reservation | { outcome: 'retry'; next: 'start' | 'continue' } | { outcome: 'unknown' };

/** Removes a known username's counter from its identity item. */
const REMOVE_COUNTER = `REMOVE ${identityFailures.attributes.join(', ')}`;
/** Only if no lock was set since this attempt's reservation (see `completeLogin`). */
const NOT_LOCKED_SINCE =
  'attribute_not_exists(loginFailures) OR loginFailures < :max OR loginFailures = :reserved';

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

  /**
   * Pattern: reserve an attempt (UpdateItem ADD/SET with conditions, `ALL_NEW`). A known
   * username's counter lives on its identity item, so the write that reserves also returns the
   * hash: one call when no window is open (the common case), two when one is. The first write
   * starts a window; if its condition fails, `ALL_OLD` tells a live window (continue it), a lock
   * (refuse) and an unknown username (count on `LOGIN#<username>`) apart with no further read.
   */
  async reserveAttempt(username: string, input: AttemptInput): Promise<Reservation> {
    let next: 'start' | 'continue' = 'start';
    for (let attempt = 0; attempt < MAX_COUNT_ATTEMPTS; attempt++) {
      const step: Step =
        next === 'start'
          ? await this.startOnIdentity(username, input)
          : await this.continueOnIdentity(username, input);
      if (step.outcome === 'unknown') return this.reserveUnknown(username, input);
      if (step.outcome !== 'retry') return step;
      next = step.next;
    }
    throw new ConflictError();
  }

  private async startOnIdentity(username: string, input: AttemptInput): Promise<Step> {
    const windowEndsAt = addSeconds(input.now, input.windowSeconds);
    const result = await this.table.update(
      identities.key('password', username),
      {
        expression:
          'SET loginFailures = :one, failureWindowEndsAt = :windowEnds, lastFailureAt = :now, failuresExpireAt = :expires',
        values: {
          ':one': 1,
          ':windowEnds': windowEndsAt.toISOString(),
          ':expires': failureRecordExpiry(windowEndsAt, input.now, input).toISOString(),
        },
      },
      {
        expression:
          'attribute_exists(userId) AND (attribute_not_exists(loginFailures) OR failuresExpireAt <= :now OR failureWindowEndsAt <= :now OR (loginFailures >= :max AND lastFailureAt <= :lockCutoff))',
        values: {
          ':now': input.now.toISOString(),
          ':max': input.maxFailures,
          ':lockCutoff': addSeconds(input.now, -input.lockSeconds).toISOString(),
        },
      },
    );
    return this.identityStep(result, input);
  }

  private async continueOnIdentity(username: string, input: AttemptInput): Promise<Step> {
    const result = await this.table.update(
      identities.key('password', username),
      {
        expression: 'ADD loginFailures :one SET lastFailureAt = :now, failuresExpireAt = :expires',
        // The window keeps its end; the counter must outlive it and a lock this failure may start.
        values: {
          ':one': 1,
          ':expires': addSeconds(input.now, Math.max(input.windowSeconds, input.lockSeconds)).toISOString(),
        },
      },
      {
        expression:
          'attribute_exists(userId) AND failureWindowEndsAt > :now AND failuresExpireAt > :now AND loginFailures < :max',
        values: { ':now': input.now.toISOString(), ':max': input.maxFailures },
      },
    );
    return this.identityStep(result, input);
  }

  /** What a counter write on an identity item says: counted, locked, retry the other way, or no account. */
  private identityStep(result: Awaited<ReturnType<Table['update']>>, input: AttemptInput): Step {
    if (result.written) {
      const item = result.attributes ?? {};
      const record = identityFailures.fromItem(item);
      if (record === undefined) throw new InvariantError('A reserved attempt wrote no counter.');
      return { outcome: 'counted', record, identity: identities.fromItem(item) };
    }
    if (result.old?.userId === undefined) return { outcome: 'unknown' };
    const record = identityFailures.fromItem(result.old);
    if (record !== undefined && lockStatus(record, input.now, input).locked)
      return { outcome: 'already_locked', record };
    return { outcome: 'retry', next: continuesWindow(record, input.now, input) ? 'continue' : 'start' };
  }

  /** Pattern: count an unknown username's attempt (PutItem or UpdateItem ADD on its TTL counter). */
  private async reserveUnknown(username: string, input: AttemptInput): Promise<Reservation> {
    let next: 'start' | 'continue' = 'start';
    for (let attempt = 0; attempt < MAX_COUNT_ATTEMPTS; attempt++) {
      if (next === 'start') {
        const started = await this.startWindow(username, input);
        if (started !== undefined) return { outcome: 'counted', record: started, identity: undefined };
        next = 'continue';
      } else {
        const continued = await this.continueWindow(username, input);
        if (continued !== 'start_over') return continued;
        next = 'start';
      }
    }
    throw new ConflictError();
  }

  private async continueWindow(username: string, input: AttemptInput): Promise<Reservation | 'start_over'> {
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
      return {
        outcome: 'counted',
        record: loginFailures.fromItem(result.attributes ?? {}),
        identity: undefined,
      };
    if (result.old === undefined) return 'start_over';
    const record = loginFailures.fromItem(result.old);
    // Refused because the limit was reached by someone else's failure, and the lock still runs.
    if (lockStatus(record, input.now, input).locked) return { outcome: 'already_locked', record };
    return 'start_over';
  }

  private async startWindow(username: string, input: AttemptInput): Promise<LoginFailureRecord | undefined> {
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

  /**
   * Pattern: complete a login (TransactWriteItems: put session, put event, remove the counter from
   * the identity if it is still the user's and no lock was set since the reservation).
   */
  async completeLogin(
    input: Parameters<PasswordAccountStore['completeLogin']>[0],
  ): Promise<'completed' | 'locked'> {
    const outcome = await startSession(this.table.transaction(), input, this.eventRetentionSeconds)
      .update(
        identities.key('password', input.username),
        { expression: REMOVE_COUNTER },
        {
          if: {
            expression: `userId = :userId AND (${NOT_LOCKED_SINCE})`,
            values: {
              ':userId': input.session.userId,
              ':max': input.maxFailures,
              ':reserved': input.reserved,
            },
          },
          name: 'counter',
        },
      )
      .run();
    if (outcome.ok) return 'completed';
    if (outcome.failed === 'counter') return 'locked';
    throw new InvariantError('A session id was reused.');
  }

  /**
   * Pattern: clear the counter after a re-authentication (UpdateItem REMOVE on the identity, if no
   * lock was set meanwhile).
   */
  async clearFailures(
    input: Parameters<PasswordAccountStore['clearFailures']>[0],
  ): Promise<'cleared' | 'locked'> {
    const cleared = await this.table.update(
      identities.key('password', input.username),
      { expression: REMOVE_COUNTER },
      {
        expression: `attribute_exists(userId) AND (${NOT_LOCKED_SINCE})`,
        values: { ':max': input.maxFailures, ':reserved': input.reserved },
      },
    );
    return cleared.written ? 'cleared' : 'locked';
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
