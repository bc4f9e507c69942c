import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandOutput,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError, ServiceUnavailableError } from '../../domain/errors';
import { conditionInput, type Expression, expressionInput } from './expression';
import { backOff, plain, translated } from './sdk-errors';
import type { Key, StoredItem } from './stored-item';
import type { GsiName } from './table-definition';
import { Transaction } from './transaction';

export type { Key, StoredItem };

/** A single write refused by its condition, with the item as it was (when asked for). */
export type WriteResult =
  | { written: true; attributes: StoredItem | undefined }
  | { written: false; old: StoredItem | undefined };

/** How often a write that lost a race with a transaction (or a batch read left unprocessed) is tried, in all. */
const MAX_ATTEMPTS = 4;

/** The most keys one `BatchGetItem` takes. */
const BATCH_GET_KEYS = 100;

/**
 * The table, for the repositories: every command names the table itself, expressions carry their
 * placeholders, a refused condition is a result (never an exception), and a race or throttling
 * that outlasts the retries is a CONFLICT (409) or SERVICE_UNAVAILABLE (503), never a 500.
 */
export class Table {
  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  /** Reads one item (strongly consistent unless `eventual`). */
  async get(key: Key, options: { eventual?: boolean } = {}): Promise<StoredItem | undefined> {
    const result = await this.send<GetCommandOutput>(
      () => new GetCommand({ TableName: this.name, Key: key, ConsistentRead: options.eventual !== true }),
    );
    return result.Item;
  }

  /** Reads up to 100 small items in one consistent round trip. */
  async getMany(keys: Key[]): Promise<StoredItem[]> {
    const result = await this.send<BatchGetCommandOutput>(
      () => new BatchGetCommand({ RequestItems: { [this.name]: { Keys: keys, ConsistentRead: true } } }),
    );
    // A few small items never exceed BatchGetItem's limits, so nothing comes back unprocessed.
    return result.Responses?.[this.name] ?? [];
  }

  /**
   * Reads any number of items, consistently: 100 keys a `BatchGetItem`, keys DynamoDB left
   * unprocessed (throttling, the 16 MB answer limit) asked again with back-off. An absent key
   * is simply missing from the answer, whose order is not the keys' order.
   */
  async getAll(keys: Key[]): Promise<StoredItem[]> {
    const found: StoredItem[] = [];
    for (let at = 0; at < keys.length; at += BATCH_GET_KEYS) {
      let pending = keys.slice(at, at + BATCH_GET_KEYS);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS) throw new ServiceUnavailableError();
        if (attempt > 1) await backOff(attempt - 1);
        const asked = pending;
        const result = await this.send<BatchGetCommandOutput>(
          () => new BatchGetCommand({ RequestItems: { [this.name]: { Keys: asked, ConsistentRead: true } } }),
        );
        found.push(...(result.Responses?.[this.name] ?? []));
        pending = (result.UnprocessedKeys?.[this.name]?.Keys ?? []) as Key[];
      }
    }
    return found;
  }

  /** Writes an item, if `condition` holds; false if it did not. */
  async put(item: StoredItem, condition?: Expression): Promise<boolean> {
    const command = () => new PutCommand({ TableName: this.name, Item: item, ...conditionInput(condition) });
    return (await this.write(command)).written;
  }

  /**
   * Updates an item, if `condition` holds; the new item (unless `returnNew` is false: then no
   * attributes come back), or the old one on refusal.
   */
  async update(
    key: Key,
    update: Expression,
    condition?: Expression,
    options: { returnNew?: boolean } = {},
  ): Promise<WriteResult> {
    return this.write(
      () =>
        new UpdateCommand({
          TableName: this.name,
          Key: key,
          ...expressionInput({
            UpdateExpression: update,
            ...(condition === undefined ? {} : { ConditionExpression: condition }),
          }),
          ReturnValues: options.returnNew === false ? 'NONE' : 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
    );
  }

  /** Deletes an item, if `condition` holds; false if it did not. */
  async delete(key: Key, condition?: Expression): Promise<boolean> {
    const command = () => new DeleteCommand({ TableName: this.name, Key: key, ...conditionInput(condition) });
    return (await this.write(command)).written;
  }

  /** One page of a query. `after` and `lastKey` are the table's own keys, opaque to callers. */
  async query(input: {
    index?: GsiName;
    key: Expression;
    filter?: Expression;
    newestFirst?: boolean;
    limit?: number;
    after?: StoredItem;
    consistent?: boolean;
  }): Promise<{ items: StoredItem[]; lastKey: StoredItem | undefined }> {
    const result = await this.send<QueryCommandOutput>(
      () =>
        new QueryCommand({
          TableName: this.name,
          ...(input.index === undefined ? {} : { IndexName: input.index }),
          ...expressionInput({
            KeyConditionExpression: input.key,
            ...(input.filter === undefined ? {} : { FilterExpression: input.filter }),
          }),
          ...(input.newestFirst === true ? { ScanIndexForward: false } : {}),
          ...(input.limit === undefined ? {} : { Limit: input.limit }),
          ...(input.after === undefined ? {} : { ExclusiveStartKey: input.after }),
          ...(input.consistent === true ? { ConsistentRead: true } : {}),
        }),
    );
    return { items: result.Items ?? [], lastKey: result.LastEvaluatedKey };
  }

  /** Every page of a query. */
  async queryAll(input: Omit<Parameters<Table['query']>[0], 'after' | 'limit'>): Promise<StoredItem[]> {
    const items: StoredItem[] = [];
    let after: StoredItem | undefined;
    do {
      const page = await this.query({ ...input, ...(after === undefined ? {} : { after }) });
      items.push(...page.items);
      after = page.lastKey;
    } while (after !== undefined);
    return items;
  }

  /** A new all-or-nothing write; see {@link Transaction}. */
  transaction(): Transaction {
    return new Transaction(this);
  }

  /** Sends a command, turning throttling that outlasted the SDK's retries into a 503. */
  async send<Output>(command: () => { input: object }): Promise<Output> {
    try {
      return (await this.client.send(command() as never)) as Output;
    } catch (error) {
      throw translated(error);
    }
  }

  /** A single conditional write, retried while it races a transaction on the same item. */
  private async write(command: () => { input: object }): Promise<WriteResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.client.send(command() as never);
        return { written: true, attributes: (result as { Attributes?: StoredItem }).Attributes };
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException)
          return { written: false, old: plain(error.Item) };
        if (!(error instanceof TransactionConflictException)) throw translated(error);
        if (attempt >= MAX_ATTEMPTS) throw new ConflictError(error);
        await backOff(attempt);
      }
    }
  }
}

/**
 * Creates the document client once per cold start. `endpoint` points it at DynamoDB Local.
 *
 * @example
 * const table = createTable({ name: config.tableName, endpoint: config.dynamodbEndpoint });
 */
export function createTable(input: { name: string; endpoint?: string; region?: string }): Table {
  const base = new DynamoDBClient({
    ...(input.endpoint === undefined
      ? {}
      : { endpoint: input.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    // In Lambda the SDK reads the region itself; DynamoDB Local accepts any.
    ...(input.region !== undefined
      ? { region: input.region }
      : input.endpoint !== undefined
        ? { region: 'us-east-1' }
        : {}),
    maxAttempts: 3,
  });
  return new Table(
    DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    input.name,
  );
}
