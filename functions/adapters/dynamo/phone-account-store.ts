import { InvariantError } from '../../domain/errors';
import type { PhoneAccountStore } from '../../domain/ports/phone-account-store';
import { auditEvents } from './entities/audit-event';
import { identities } from './entities/identity';
import { startSession } from './entities/session';
import { smsCodes } from './entities/sms-code';
import { createUser, users } from './entities/user';
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
   * Pattern: link a phone with a code (TransactWriteItems: consume code, identity, user's phone and
   * count, the old phone's identity if still theirs, event).
   */
  async linkPhone(
    input: Parameters<PhoneAccountStore['linkPhone']>[0],
  ): Promise<'linked' | 'code_gone' | 'phone_taken'> {
    const userId = input.identity.userId;
    let tx = this.consume(input)
      .put(identities.toItem(input.identity), { if: conditions.absent, name: 'phone' })
      .update(
        users.key(userId),
        input.replaced === undefined
          ? {
              expression: 'SET phone = :phone ADD identityCount :delta',
              values: { ':phone': input.identity.subject, ':delta': 1 },
            }
          : { expression: 'SET phone = :phone', values: { ':phone': input.identity.subject } },
        { if: conditions.present },
      );
    if (input.replaced !== undefined) {
      tx = tx.delete(identities.key('phone', input.replaced.subject), { if: conditions.ownedBy(userId) });
    }
    const outcome = await tx.put(auditEvents.toItem(input.event, this.eventRetentionSeconds)).run();
    if (outcome.ok) return 'linked';
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
