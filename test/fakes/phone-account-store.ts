import { ConflictError, InvariantError } from '../../functions/domain/errors';
import type { CodeToConsume, PhoneAccountStore } from '../../functions/domain/ports/phone-account-store';
import { copy, InMemoryTable } from './in-memory-table';

/**
 * {@link PhoneAccountStore} in memory. Like the DynamoDB transactions, each write first consumes
 * the code (only this code, not spent: `code_gone` otherwise), then checks the phone is free,
 * and writes all or nothing. Whatever else changed under the write is a CONFLICT.
 */
export class InMemoryPhoneAccountStore implements PhoneAccountStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async signIn(input: Parameters<PhoneAccountStore['signIn']>[0]): Promise<'signed_in' | 'code_gone'> {
    if (!this.usable(input)) return 'code_gone';
    if (this.table.sessions.has(input.session.id)) throw new InvariantError('A session id was reused.');
    this.table.smsCodes.delete(input.phone);
    this.table.sessions.set(input.session.id, copy(input.session));
    this.table.appendAuditEvent(input.event);
    return 'signed_in';
  }

  async createAccount(
    input: Parameters<PhoneAccountStore['createAccount']>[0],
  ): Promise<'created' | 'code_gone' | 'phone_taken'> {
    if (!this.usable(input)) return 'code_gone';
    if (this.table.identity('phone', input.identity.subject) !== undefined) return 'phone_taken';
    if (this.table.users.has(input.user.id)) throw new InvariantError('A user id was reused.');
    this.table.smsCodes.delete(input.phone);
    this.table.putIdentity(input.identity);
    this.table.users.set(input.user.id, copy(input.user));
    this.table.sessions.set(input.session.id, copy(input.session));
    this.table.appendAuditEvent(input.event);
    return 'created';
  }

  async linkPhone(
    input: Parameters<PhoneAccountStore['linkPhone']>[0],
  ): Promise<'linked' | 'code_gone' | 'phone_taken' | 'type_taken'> {
    const userId = input.identity.userId;
    if (!this.usable(input)) return 'code_gone';
    if (this.table.identity('phone', input.identity.subject) !== undefined) return 'phone_taken';
    if (input.replaced === undefined && this.table.hasIdentityType(userId, 'phone')) return 'type_taken';
    const user = this.table.users.get(userId);
    const replaced =
      input.replaced === undefined ? undefined : this.table.identity('phone', input.replaced.subject);
    if (user === undefined || (input.replaced !== undefined && replaced?.userId !== userId)) {
      throw new ConflictError();
    }
    this.table.smsCodes.delete(input.phone);
    this.table.putIdentity(input.identity);
    user.phone = input.identity.subject;
    if (replaced === undefined) this.table.countIdentities(userId, 1);
    else this.table.identities.delete(`phone#${replaced.subject}`);
    this.table.appendAuditEvent(input.event);
    return 'linked';
  }

  private usable(code: CodeToConsume): boolean {
    const stored = this.table.smsCodes.get(code.phone);
    return stored !== undefined && stored.codeId === code.codeId && stored.attempts < code.maxAttempts;
  }
}
