import { InvariantError } from '../../domain/errors';
import type { RecycledNumberStore, ReverifyChallenge } from '../../domain/ports/recycled-number-store';
import { activities } from './entities/activity';
import { auditEvents } from './entities/audit-event';
import { identities, identityTypes } from './entities/identity';
import { owner } from './entities/owner';
import { reverifyChallenges } from './entities/reverify-challenge';
import { startSession } from './entities/session';
import { smsCodes } from './entities/sms-code';
import { epochSeconds } from './entities/stored';
import { users } from './entities/user';
import { conditions } from './expression';
import type { Table } from './table';

/** Dormant accounts and their recycled numbers in DynamoDB. */
export class DynamoRecycledNumberStore implements RecycledNumberStore {
  constructor(
    private readonly table: Table,
    private readonly eventRetentionSeconds: number,
  ) {}

  /** Pattern: a user's last sign-in (GetItem `USER#<id>`/`ACTIVE`). */
  async lastSignIn(userId: string): Promise<string | undefined> {
    const item = await this.table.get(activities.key(userId));
    return typeof item?.lastActiveAt === 'string' ? item.lastActiveAt : undefined;
  }

  /** Pattern: whether a user has an Item (Query gsi1 `USER#<id>`, `ITEM#`, Limit 1). */
  async hasBankLinks(userId: string): Promise<boolean> {
    const page = await this.table.query({ index: 'gsi1', key: owner.ofKind(userId, 'ITEM#'), limit: 1 });
    return page.items.length > 0;
  }

  /** Pattern: hold a dormant sign-in (TransactWriteItems: consume code, put challenge, event). */
  async holdForReverify(
    input: Parameters<RecycledNumberStore['holdForReverify']>[0],
  ): Promise<'held' | 'code_gone'> {
    if (input.maxAttempts < 1) throw new InvariantError('maxAttempts must be at least 1.');
    const outcome = await this.table
      .transaction()
      .delete(smsCodes.key(input.phone), {
        if: smsCodes.usable(input.codeId, input.maxAttempts),
        name: 'code',
      })
      .put(reverifyChallenges.toItem(input), { if: conditions.absent })
      .put(auditEvents.toItem(input.event, this.eventRetentionSeconds))
      .run();
    return outcome.ok ? 'held' : 'code_gone';
  }

  /** Pattern: a challenge by its hash (GetItem, consistent). */
  async findChallenge(challengeHash: string, now: Date): Promise<ReverifyChallenge | undefined> {
    const item = await this.table.get(reverifyChallenges.key(challengeHash));
    if (item === undefined || Number(item.expiresAt) <= epochSeconds(now)) return undefined;
    return { userId: String(item.userId), phone: String(item.phone) };
  }

  /** Pattern: use a challenge (DeleteItem if live). */
  async consumeChallenge(input: Parameters<RecycledNumberStore['consumeChallenge']>[0]): Promise<boolean> {
    return this.table.delete(
      reverifyChallenges.key(input.challengeHash),
      reverifyChallenges.live(input.userId, input.now),
    );
  }

  /**
   * Pattern: a new account takes a recycled number over (TransactWriteItems: delete challenge, put
   * phone identity if still the old user's, delete the old guard, old user `REMOVE phone ADD
   * identityCount -1`, new guard, new user, session, events, activity).
   */
  async takeOver(input: Parameters<RecycledNumberStore['takeOver']>[0]): Promise<'taken_over' | 'gone'> {
    const previous = input.previousUserId;
    const tx = this.table
      .transaction()
      .delete(reverifyChallenges.key(input.challengeHash), {
        if: reverifyChallenges.live(previous, input.now),
        name: 'gone',
      })
      .put(identities.toItem(input.identity), { if: conditions.ownedBy(previous), name: 'gone' })
      .delete(identityTypes.key(previous, 'phone'))
      .update(
        users.key(previous),
        { expression: 'REMOVE phone ADD identityCount :minusOne', values: { ':minusOne': -1 } },
        { if: conditions.present },
      )
      .put(identityTypes.toItem(input.identity), { if: conditions.absent })
      .put(users.toItem(input.user), { if: conditions.absent })
      .put(auditEvents.toItem(input.previousEvent, this.eventRetentionSeconds));
    const outcome = await startSession(tx, input, this.eventRetentionSeconds).run();
    return outcome.ok ? 'taken_over' : 'gone';
  }
}
