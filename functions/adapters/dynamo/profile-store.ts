import { InvariantError, NotFoundError } from '../../domain/errors';
import type { ProfileChanges, ProfileStore } from '../../domain/ports/profile-store';
import { auditEvents } from './entities/audit-event';
import { users } from './entities/user';
import { conditions, type Expression } from './expression';
import type { Table } from './table';

/** The user's own settings. */
export class DynamoProfileStore implements ProfileStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: update a profile (TransactWriteItems: update user if it exists, event). */
  async update(input: Parameters<ProfileStore['update']>[0]): Promise<void> {
    const outcome = await this.table
      .transaction()
      .update(users.key(input.userId), profileUpdate(input.changes), { if: conditions.present, name: 'user' })
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    if (!outcome.ok) throw new NotFoundError('No such user.');
  }

  /** Pattern: confirm an email (TransactWriteItems: user `SET emailConfirmed` if the subscription is unchanged, event). */
  async confirmEmail(input: Parameters<ProfileStore['confirmEmail']>[0]): Promise<boolean> {
    const outcome = await this.table
      .transaction()
      .update(
        users.key(input.userId),
        { expression: 'SET emailConfirmed = :confirmed', values: { ':confirmed': true } },
        {
          if: {
            expression: 'emailSubscription = :subscription',
            values: { ':subscription': input.subscription },
          },
          name: 'subscription',
        },
      )
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    return outcome.ok;
  }
}

/** The update expression of a change set: `SET` what is given, `REMOVE` what is null. */
function profileUpdate(changes: ProfileChanges): Expression {
  const sets: string[] = [];
  const removes: string[] = [];
  const values: Record<string, unknown> = {};
  const set = (path: string, placeholder: string, value: unknown) => {
    // Two fields under one placeholder would store one's value in both ("email": true).
    if (placeholder in values) throw new InvariantError(`Placeholder ${placeholder} used twice.`);
    sets.push(`${path} = ${placeholder}`);
    values[placeholder] = value;
  };
  const { displayName, email, notifications, emailSubscription } = changes;
  if (displayName !== undefined) set('displayName', ':name', displayName);
  if (email === null) removes.push('email');
  if (typeof email === 'string') set('email', ':email', email);
  // A changed or removed email, or a new or removed subscription, is not confirmed.
  if (email !== undefined || emailSubscription !== undefined) set('emailConfirmed', ':confirmed', false);
  if (notifications?.sms !== undefined) set('notifications.sms', ':sms', notifications.sms);
  if (notifications?.email !== undefined) set('notifications.email', ':emailAlerts', notifications.email);
  if (emailSubscription === null) removes.push('emailSubscription');
  if (typeof emailSubscription === 'string') set('emailSubscription', ':subscription', emailSubscription);
  // An empty change set still needs an expression; rewriting the entity name changes nothing.
  if (sets.length === 0 && removes.length === 0) set('entity', ':entity', 'user');
  return {
    expression: [
      sets.length ? `SET ${sets.join(', ')}` : '',
      removes.length ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    values,
  };
}
