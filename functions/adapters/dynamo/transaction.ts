import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConflictError, InvariantError, ServiceUnavailableError } from '../../domain/errors';
import { conditionInput, type Expression, expressionInput } from './expression';
import { backOff, plain } from './sdk-errors';
import type { Key, StoredItem } from './stored-item';

/**
 * What a transaction needs of the table: its name and its `send` (with the table's retries).
 * Structural, so that this module and `table.ts`, which hands transactions out, do not import
 * each other.
 */
export interface TransactionTable {
  readonly name: string;
  send<Output>(command: () => { input: object }): Promise<Output>;
}

type Operation = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** What a transaction did: everything, or nothing because the condition of step `failed` did not hold. */
export type TransactionOutcome<Name extends string> =
  | { ok: true }
  /** `old` is the failed step's item as it was, for steps that asked for it. */
  | { ok: false; failed: Name; old: StoredItem | undefined };

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;
/** How often a transaction cancelled by a race or by throttling is tried, in all. */
const MAX_ATTEMPTS = 4;
const THROTTLED = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * An all-or-nothing write, built step by step. A step whose condition the caller cares about is
 * given a `name`; if the transaction is cancelled because that condition failed, `run` answers
 * with the name (the first failed named step, in order) instead of an index to map. A failed
 * condition on an unnamed step means the records changed under the write: CONFLICT (409).
 * A transaction cancelled by a race with another one, or by throttling, is retried a few times
 * with back-off, then answered CONFLICT (409) or SERVICE_UNAVAILABLE (503).
 *
 * @example
 * const outcome = await table.transaction()
 *   .delete(smsCodes.key(phone), { if: smsCodes.usable(codeId, max), name: 'code' })
 *   .put(identities.toItem(identity), { if: conditions.absent, name: 'phone' })
 *   .run();
 * if (!outcome.ok) return outcome.failed === 'code' ? 'code_gone' : 'phone_taken';
 */
export class Transaction<Name extends string = never> {
  private readonly steps: { name: string | undefined; operation: Operation }[] = [];

  constructor(private readonly table: TransactionTable) {}

  /** Puts an item, if `if` holds. */
  put<N extends string = never>(item: StoredItem, options: StepOptions<N> = {}): Transaction<Name | N> {
    return this.add(options, {
      Put: { TableName: this.table.name, Item: item, ...conditionInput(options.if) },
    } as Operation);
  }

  /** Applies `update` to an item, if `if` holds. */
  update<N extends string = never>(
    key: Key,
    update: Expression,
    options: StepOptions<N> = {},
  ): Transaction<Name | N> {
    return this.add(options, {
      Update: {
        TableName: this.table.name,
        Key: key,
        ...expressionInput({
          UpdateExpression: update,
          ...(options.if === undefined ? {} : { ConditionExpression: options.if }),
        }),
        ...(options.name === undefined ? {} : { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }),
      },
    } as unknown as Operation);
  }

  /** Deletes an item, if `if` holds. */
  delete<N extends string = never>(key: Key, options: StepOptions<N> = {}): Transaction<Name | N> {
    return this.add(options, {
      Delete: { TableName: this.table.name, Key: key, ...conditionInput(options.if) },
    } as Operation);
  }

  /** The number of steps so far. */
  get size(): number {
    return this.steps.length;
  }

  /** Writes every step or none. */
  async run(): Promise<TransactionOutcome<Name>> {
    if (this.steps.length > MAX_TRANSACTION_ITEMS) {
      throw new InvariantError(`A transaction of ${this.steps.length} items is over DynamoDB's limit.`);
    }
    const command = () => new TransactWriteCommand({ TransactItems: this.steps.map((s) => s.operation) });
    for (let attempt = 1; ; attempt++) {
      try {
        await this.table.send(command);
        return { ok: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = error.CancellationReasons ?? [];
        const failedAt = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (failedAt >= 0) {
          // The first failed condition decides; one nobody named means the records changed under us.
          const failed = this.steps[failedAt]?.name;
          if (failed === undefined) throw new ConflictError(error);
          return { ok: false, failed: failed as Name, old: plain(reasons[failedAt]?.Item) };
        }
        const throttled = reasons.some((r) => THROTTLED.has(r.Code ?? ''));
        const raced = reasons.some((r) => r.Code === 'TransactionConflict');
        if (!throttled && !raced) throw error;
        if (attempt >= MAX_ATTEMPTS)
          throw throttled ? new ServiceUnavailableError(error) : new ConflictError(error);
        await backOff(attempt);
      }
    }
  }

  private add<N extends string>(options: StepOptions<N>, operation: Operation): Transaction<Name | N> {
    this.steps.push({ name: options.name, operation });
    return this as Transaction<Name | N>;
  }
}

/** A step's condition, and the name its failure is reported under. */
export interface StepOptions<N extends string> {
  if?: Expression;
  name?: N;
}
