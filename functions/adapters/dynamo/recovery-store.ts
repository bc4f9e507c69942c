import type { PasswordResetWrite, RecoveryStore } from '../../domain/ports/recovery-store';
import { auditEvents } from './entities/audit-event';
import { identities } from './entities/identity';
import { identityFailures } from './entities/login-failures';
import { resetLinks } from './entities/reset-link';
import { startSession } from './entities/session';
import { smsCodes } from './entities/sms-code';
import { conditions } from './expression';
import type { Table } from './table';
import type { Transaction } from './transaction';

/**
 * Password recovery in DynamoDB: the secret that proves the caller (an SMS code, a mailed link)
 * is consumed in the same transaction that replaces the password hash, clears the lockout
 * counter and starts a session.
 */
export class DynamoRecoveryStore implements RecoveryStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /**
   * Pattern: reset a password with an SMS code (TransactWriteItems: consume code, update the
   * username identity (new hash, failure counter removed) if still the user's, put session, events).
   */
  async resetWithCode(
    input: Parameters<RecoveryStore['resetWithCode']>[0],
  ): Promise<'reset' | 'secret_gone' | 'identity_gone'> {
    const tx = this.table.transaction().delete(smsCodes.key(input.phone), {
      if: smsCodes.usable(input.codeId, input.maxAttempts),
      name: 'secret',
    });
    return this.reset(tx, input);
  }

  /**
   * Pattern: reset a password with a mailed link (TransactWriteItems: delete `USER#<id>`/`RESETLINK`
   * if still this live link, update the username identity (new hash, failure counter removed) if
   * still the user's, put session, events).
   */
  async resetWithLink(
    input: Parameters<RecoveryStore['resetWithLink']>[0],
  ): Promise<'reset' | 'secret_gone' | 'identity_gone'> {
    const tx = this.table.transaction().delete(resetLinks.key(input.userId), {
      if: resetLinks.live(input.linkHash, input.now),
      name: 'secret',
    });
    return this.reset(tx, input);
  }

  private async reset(
    tx: Transaction<'secret'>,
    input: PasswordResetWrite,
  ): Promise<'reset' | 'secret_gone' | 'identity_gone'> {
    const outcome = await startSession(
      tx
        .update(
          identities.key('password', input.username),
          // The lock ends with the reset: the caller proved more than a password would.
          {
            expression: `SET passwordHash = :hash REMOVE ${identityFailures.attributes.join(', ')}`,
            values: { ':hash': input.passwordHash },
          },
          { if: conditions.ownedBy(input.userId), name: 'identity' },
        )
        .put(auditEvents.toItem(input.resetEvent, this.eventRetentionSeconds)),
      input,
      this.eventRetentionSeconds,
    ).run();
    if (outcome.ok) return 'reset';
    return outcome.failed === 'secret' ? 'secret_gone' : 'identity_gone';
  }
}
