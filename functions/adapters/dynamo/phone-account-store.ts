import { ConflictError, InvariantError } from '../../domain/errors';
import type { PhoneAccountStore } from '../../domain/ports/phone-account-store';
import { auditEvents } from './entities/audit-event';
import { startSession } from './entities/session';
import { smsCodes } from './entities/sms-code';
import { addIdentity, createUser, replaceIdentity, users } from './entities/user';
import { conditions } from './expression';
import type { Table } from './table';
import type { Transaction } from './transaction';

/**
 * What a proven SMS code buys, each in one transaction that first consumes the code (deletes it
 * only if it is this code and not spent, so it works once), then writes what it proves.
 */
export class DynamoPhoneAccountStore implements PhoneAccountStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: sign in with a code (TransactWriteItems: consume code, put session, put event). */
  async signIn(input: Parameters<PhoneAccountStore['signIn']>[0]): Promise<'signed_in' | 'code_gone'> {
    const outcome = await startSession(this.consume(input), input, this.eventRetentionSeconds).run();
    return outcome.ok ? 'signed_in' : 'code_gone';
  }

  /** Pattern: create a user with a code (TransactWriteItems: consume code, identity, user, session, event). */
  async createAccount(
    input: Parameters<PhoneAccountStore['createAccount']>[0],
  ): Promise<'created' | 'code_gone' | 'phone_taken'> {
    const outcome = await startSession(
      createUser(this.consume(input), input, 'phone'),
      input,
      this.eventRetentionSeconds,
    ).run();
    if (outcome.ok) return 'created';
    return outcome.failed === 'code' ? 'code_gone' : 'phone_taken';
  }

  /**
   * Pattern: link a phone with a code (TransactWriteItems: consume code, identity, the user's phone,
   * and either the type's guard and count or the old phone's identity if still theirs; event).
   */
  async linkPhone(
    input: Parameters<PhoneAccountStore['linkPhone']>[0],
  ): Promise<'linked' | 'code_gone' | 'phone_taken' | 'type_taken'> {
    const { identity, replaced } = input;
    const setPhone = { set: 'SET phone = :phone', values: { ':phone': identity.subject } };
    const tx = this.consume(input);
    const outcome = await (replaced === undefined
      ? addIdentity(tx, identity, 'phone', setPhone)
      : replaceIdentity(tx, { identity, replaced }, 'phone').update(
          users.key(identity.userId),
          { expression: setPhone.set, values: setPhone.values },
          { if: conditions.present, name: 'user' },
        )
    )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    if (outcome.ok) return 'linked';
    if (outcome.failed === 'user') throw new ConflictError();
    if (outcome.failed === 'type') return 'type_taken';
    return outcome.failed === 'code' ? 'code_gone' : 'phone_taken';
  }

  private consume(input: { phone: string; codeId: string; maxAttempts: number }): Transaction<'code'> {
    if (input.maxAttempts < 1) throw new InvariantError('maxAttempts must be at least 1.');
    return this.table.transaction().delete(smsCodes.key(input.phone), {
      if: smsCodes.usable(input.codeId, input.maxAttempts),
      name: 'code',
    });
  }
}
