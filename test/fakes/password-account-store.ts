import { addSeconds } from '../../functions/domain/clock';
import { ConflictError, InvariantError, NotFoundError } from '../../functions/domain/errors';
import { failureRecordExpiry, lockStatus } from '../../functions/domain/lockout-policy';
import type { IdentityRecord, LoginFailureRecord } from '../../functions/domain/model';
import type {
  FailureCount,
  LoginState,
  PasswordAccountStore,
} from '../../functions/domain/ports/password-account-store';
import { copy, InMemoryTable } from './in-memory-table';

const MAX_COUNT_ATTEMPTS = 4;
const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * {@link PasswordAccountStore} in memory, with the DynamoDB adapter's conditions: a username is
 * unique, the failure counter continues a live window up to the limit and never past it, and a
 * missing, expired or spent window starts over.
 */
export class InMemoryPasswordAccountStore implements PasswordAccountStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async createAccount(
    input: Parameters<PasswordAccountStore['createAccount']>[0],
  ): Promise<'created' | 'username_taken'> {
    if (this.table.identity('password', input.identity.subject) !== undefined) return 'username_taken';
    if (this.table.users.has(input.user.id)) throw new InvariantError('A user id was reused.');
    this.table.putIdentity(input.identity);
    this.table.users.set(input.user.id, copy(input.user));
    this.table.sessions.set(input.session.id, copy(input.session));
    this.table.appendAuditEvent(input.event);
    return 'created';
  }

  async loadLoginState(username: string): Promise<LoginState> {
    return {
      identity: this.table.identity('password', username),
      failures: copy(this.table.loginFailures.get(username)),
    };
  }

  async countFailure(
    username: string,
    input: Parameters<PasswordAccountStore['countFailure']>[1],
  ): Promise<FailureCount> {
    let step = input.hint ?? 'continue';
    for (let attempt = 0; attempt < MAX_COUNT_ATTEMPTS; attempt++) {
      const stored = this.table.loginFailures.get(username);
      const nowIso = input.now.toISOString();
      const nowEpoch = Math.floor(input.now.getTime() / 1000);
      if (step === 'continue') {
        if (
          stored !== undefined &&
          stored.windowEndsAt > nowIso &&
          epoch(stored.expiresAt) > nowEpoch &&
          stored.failures < input.maxFailures
        ) {
          const record: LoginFailureRecord = {
            ...stored,
            failures: stored.failures + 1,
            lastFailureAt: nowIso,
            expiresAt: wholeSeconds(addSeconds(input.now, Math.max(input.windowSeconds, input.lockSeconds))),
          };
          this.table.loginFailures.set(username, record);
          return { outcome: 'counted', record: copy(record) };
        }
        if (stored !== undefined && lockStatus(stored, input.now, input).locked) {
          return { outcome: 'already_locked', record: copy(stored) };
        }
        step = 'start';
      } else {
        const lockCutoff = addSeconds(input.now, -input.lockSeconds).toISOString();
        if (
          stored === undefined ||
          epoch(stored.expiresAt) <= nowEpoch ||
          stored.windowEndsAt <= nowIso ||
          (stored.failures >= input.maxFailures && stored.lastFailureAt <= lockCutoff)
        ) {
          const windowEndsAt = addSeconds(input.now, input.windowSeconds);
          const record: LoginFailureRecord = {
            failures: 1,
            windowEndsAt: windowEndsAt.toISOString(),
            lastFailureAt: nowIso,
            expiresAt: wholeSeconds(failureRecordExpiry(windowEndsAt, input.now, input)),
          };
          this.table.loginFailures.set(username, record);
          return { outcome: 'counted', record: copy(record) };
        }
        step = 'continue';
      }
    }
    throw new ConflictError();
  }

  async recordUnknownUsernameFailure(username: string, at: Date): Promise<void> {
    this.table.unknownUsernameFailures.push({ username, at: at.toISOString() });
  }

  async completeLogin(
    input: Parameters<PasswordAccountStore['completeLogin']>[0],
  ): Promise<'completed' | 'locked'> {
    const counter = this.table.loginFailures.get(input.username);
    if (counter !== undefined && counter.failures >= input.maxFailures && counter.failures !== input.reserved)
      return 'locked';
    if (this.table.sessions.has(input.session.id)) throw new InvariantError('A session id was reused.');
    this.table.sessions.set(input.session.id, copy(input.session));
    this.table.appendAuditEvent(input.event);
    this.table.loginFailures.delete(input.username);
    return 'completed';
  }

  async clearFailures(
    input: Parameters<PasswordAccountStore['clearFailures']>[0],
  ): Promise<'cleared' | 'locked'> {
    const counter = this.table.loginFailures.get(input.username);
    if (counter !== undefined && counter.failures >= input.maxFailures && counter.failures !== input.reserved)
      return 'locked';
    this.table.loginFailures.delete(input.username);
    return 'cleared';
  }

  async addPassword(
    input: Parameters<PasswordAccountStore['addPassword']>[0],
  ): Promise<'added' | 'username_taken' | 'type_taken'> {
    if (this.table.identity('password', input.identity.subject) !== undefined) return 'username_taken';
    if (this.table.hasIdentityType(input.identity.userId, 'password')) return 'type_taken';
    if (!this.table.users.has(input.identity.userId)) throw new NotFoundError('No such user.');
    this.table.putIdentity(input.identity);
    this.table.countIdentities(input.identity.userId, 1);
    this.table.appendAuditEvent(input.event);
    return 'added';
  }

  async changePassword(input: Parameters<PasswordAccountStore['changePassword']>[0]): Promise<void> {
    const stored = this.table.identity('password', input.identity.subject);
    if (stored?.userId !== input.identity.userId)
      throw new NotFoundError('No password sign-in on this account.');
    this.table.putIdentity({ ...stored, passwordHash: input.passwordHash } satisfies IdentityRecord);
    this.table.appendAuditEvent(input.event);
  }
}

/** As the adapter stores it: epoch seconds, read back as an ISO time. */
function wholeSeconds(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
}
