import { addSeconds } from '../../functions/domain/clock';
import { InvariantError, NotFoundError } from '../../functions/domain/errors';
import { continuesWindow, failureRecordExpiry, lockStatus } from '../../functions/domain/lockout-policy';
import type { IdentityRecord, LoginFailureRecord } from '../../functions/domain/model';
import type {
  AttemptInput,
  PasswordAccountStore,
  Reservation,
} from '../../functions/domain/ports/password-account-store';
import { copy, InMemoryTable } from './in-memory-table';

/**
 * {@link PasswordAccountStore} in memory, with the DynamoDB adapter's conditions: a username is
 * unique, the failure counter continues a live window up to the limit and never past it, and a
 * missing, expired or spent window starts over. One counter map for known and unknown usernames
 * (the adapter keeps a known username's on its identity item; the behaviour is the same).
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

  async reserveAttempt(username: string, input: AttemptInput): Promise<Reservation> {
    const stored = this.table.loginFailures.get(username);
    if (stored !== undefined && lockStatus(stored, input.now, input).locked)
      return { outcome: 'already_locked', record: copy(stored) };
    const nowIso = input.now.toISOString();
    let record: LoginFailureRecord;
    if (continuesWindow(stored, input.now, input) && stored !== undefined) {
      record = {
        ...stored,
        failures: stored.failures + 1,
        lastFailureAt: nowIso,
        expiresAt: wholeSeconds(addSeconds(input.now, Math.max(input.windowSeconds, input.lockSeconds))),
      };
    } else {
      const windowEndsAt = addSeconds(input.now, input.windowSeconds);
      record = {
        failures: 1,
        windowEndsAt: windowEndsAt.toISOString(),
        lastFailureAt: nowIso,
        expiresAt: wholeSeconds(failureRecordExpiry(windowEndsAt, input.now, input)),
      };
    }
    this.table.loginFailures.set(username, record);
    return { outcome: 'counted', record: copy(record), identity: this.table.identity('password', username) };
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
