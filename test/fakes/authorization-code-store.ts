import { InvariantError } from '../../functions/domain/errors';
import type {
  AuthorizationCodeRecord,
  AuthorizationCodeStore,
} from '../../functions/domain/ports/authorization-code-store';
import { copy, InMemoryTable } from './in-memory-table';

/** {@link AuthorizationCodeStore} in memory: one redemption per code, with its session. */
export class InMemoryAuthorizationCodeStore implements AuthorizationCodeStore {
  constructor(readonly table: InMemoryTable = new InMemoryTable()) {}

  async save(record: AuthorizationCodeRecord): Promise<void> {
    if (this.table.authorizationCodes.has(record.codeHash)) throw new InvariantError('A code was reused.');
    this.table.authorizationCodes.set(record.codeHash, copy(record));
  }

  async find(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    return copy(this.table.authorizationCodes.get(codeHash));
  }

  async redeem(input: Parameters<AuthorizationCodeStore['redeem']>[0]): Promise<boolean> {
    const stored = this.table.authorizationCodes.get(input.codeHash);
    if (
      stored === undefined ||
      stored.usedAt !== undefined ||
      stored.validUntil <= input.now.toISOString() ||
      stored.codeChallenge !== input.codeChallenge ||
      stored.userId !== input.session.userId ||
      this.table.sessions.has(input.session.id)
    ) {
      return false;
    }
    stored.usedAt = input.now.toISOString();
    stored.sessionId = input.session.id;
    this.table.sessions.set(input.session.id, copy(input.session));
    this.table.appendAuditEvent(input.event);
    return true;
  }
}
