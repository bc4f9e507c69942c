import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { KEY_ATTRIBUTES } from './keys';

/** The document client and the table name, passed to every repository. */
export interface Table {
  client: DynamoDBDocumentClient;
  name: string;
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
  return {
    client: DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
    name: input.name,
  };
}

/** The item without its key attributes: what a repository turns back into a record. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...item };
  for (const attribute of KEY_ATTRIBUTES) delete copy[attribute];
  return copy as T;
}

/** Whether `error` is DynamoDB refusing a single write's condition. */
export function isConditionFailure(error: unknown): error is ConditionalCheckFailedException {
  return error instanceof ConditionalCheckFailedException;
}

/** The old item DynamoDB returned with a failed condition (`ReturnValuesOnConditionCheckFailure`). */
export function oldItemOf(error: unknown): Record<string, unknown> | undefined {
  const item = (error as { Item?: Record<string, unknown> }).Item;
  if (item === undefined) return undefined;
  // The document client does not unmarshall error payloads.
  return isMarshalled(item) ? unmarshall(item as never) : item;
}

/** Why each part of a cancelled transaction failed (`ConditionalCheckFailed`, `None`, …), in order. */
export function cancellationReasons(
  error: unknown,
): { code: string; item: Record<string, unknown> | undefined }[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((r) => ({
    code: r.Code ?? 'None',
    item: r.Item === undefined ? undefined : isMarshalled(r.Item) ? unmarshall(r.Item as never) : r.Item,
  }));
}

/**
 * Which item of a cancelled transaction failed its condition: its index, -1 when the transaction
 * was cancelled for another reason (a conflict), undefined when `error` is no cancellation.
 */
export function failedConditionAt(error: unknown): number | undefined {
  return cancellationReasons(error)?.findIndex((r) => r.code === 'ConditionalCheckFailed');
}

const TYPE_DESCRIPTORS = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

function isMarshalled(item: Record<string, unknown>): boolean {
  return Object.values(item).every((value) => {
    if (typeof value !== 'object' || value === null) return false;
    const descriptors = Object.keys(value);
    return descriptors.length === 1 && TYPE_DESCRIPTORS.has(descriptors[0] as string);
  });
}
