import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { currentFunction } from '../../local/function-scope';

/**
 * Records every AWS call the code under test makes, as the IAM actions AWS would authorize,
 * attributed to the deployed function whose invocation made it (`local/function-scope.ts`).
 * Calls from no function (the test itself reading the table) are counted under `(test)`.
 */

/** Calls per function: handler name → IAM action → count. */
export type RecordedCalls = Record<string, Record<string, number>>;

/** What one test file recorded (one JSON file per test file in the run's directory). */
export interface RecordedFile {
  testFile: string;
  calls: RecordedCalls;
}

/** Who made a call that no function's invocation made. */
export const OUTSIDE_FUNCTIONS = '(test)';

type AnyClient = { prototype: { send: (...args: unknown[]) => unknown } };

/** The clients whose calls are recorded, and the IAM prefix of each. */
const CLIENTS: readonly (readonly [AnyClient, Service])[] = [
  [DynamoDBClient as unknown as AnyClient, 'dynamodb'],
  [DynamoDBDocumentClient as unknown as AnyClient, 'dynamodb-document'],
  [SNSClient as unknown as AnyClient, 'sns'],
  [SQSClient as unknown as AnyClient, 'sqs'],
  [KMSClient as unknown as AnyClient, 'kms'],
  [SecretsManagerClient as unknown as AnyClient, 'secretsmanager'],
];
type Service = 'dynamodb' | 'dynamodb-document' | 'sns' | 'sqs' | 'kms' | 'secretsmanager';

/** The document client's commands, by the DynamoDB operation each one sends. */
const DOCUMENT_OPERATIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

/** A transaction's items are authorized one by one, each as the action it performs. */
const TRANSACTION_ITEM_ACTIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/** Batch APIs IAM authorizes as the single-message action. */
const BATCH_ACTIONS: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sns:PublishBatch': 'sns:Publish',
};

/**
 * The IAM actions AWS checks for one command: `PutCommand` → `dynamodb:PutItem`; a
 * `TransactWriteItems` with a Put and a ConditionCheck → `dynamodb:PutItem`,
 * `dynamodb:ConditionCheckItem`; `SendMessageBatch` → `sqs:SendMessage`.
 */
export function iamActionsOf(service: Service, command: { constructor: { name: string }; input?: unknown }) {
  let operation = command.constructor.name.replace(/Command$/, '');
  if (service === 'dynamodb-document') operation = DOCUMENT_OPERATIONS[operation] ?? operation;
  const prefix = service === 'dynamodb-document' ? 'dynamodb' : service;
  if (prefix === 'dynamodb' && (operation === 'TransactWriteItems' || operation === 'TransactGetItems')) {
    const items = ((command.input as { TransactItems?: Record<string, unknown>[] })?.TransactItems ??
      []) as Record<string, unknown>[];
    return items.flatMap((item) =>
      Object.keys(item).map((kind) => `dynamodb:${TRANSACTION_ITEM_ACTIONS[kind] ?? kind}`),
    );
  }
  const action = `${prefix}:${operation}`;
  return [BATCH_ACTIONS[action] ?? action];
}

const recorded: RecordedCalls = {};
const RECORDER = Symbol.for('linkguard.test.aws-call-recorder');

function record(service: Service, command: unknown): void {
  const fn = currentFunction() ?? OUTSIDE_FUNCTIONS;
  recorded[fn] ??= {};
  const actions = recorded[fn];
  for (const action of iamActionsOf(service, command as { constructor: { name: string } }))
    actions[action] = (actions[action] ?? 0) + 1;
}

/** Puts a recording `send` in front of whatever `send` the client class has now (real or mocked). */
function wrapSend(client: AnyClient, service: Service): void {
  const inner = client.prototype.send;
  const send = function (this: unknown, ...args: unknown[]) {
    record(service, args[0]);
    return inner.apply(this, args);
  };
  Object.defineProperty(send, RECORDER, { value: true });
  Object.defineProperty(client.prototype, 'send', { value: send, writable: true, configurable: true });
}

/** Starts recording the calls of every client in {@link CLIENTS} (once per test file). */
export function installAwsCallRecorder(): void {
  for (const [client, service] of CLIENTS) wrapSend(client, service);
}

/**
 * `mockClient(Client)` of aws-sdk-client-mock, with the mock's calls still recorded: a mocked
 * call is one the code makes in AWS, and the function's role must allow it.
 */
export const mockAwsClient: typeof mockClient = (client, options) => {
  const entry = CLIENTS.find(([c]) => c === (client as unknown));
  if (entry === undefined) throw new Error('Not a recorded client class; add it to CLIENTS.');
  const [recorded, service] = entry;
  const mock = mockClient(client, options);
  wrapSend(recorded, service);
  // `reset()` stubs `send` anew; it must find its own stub there to replace it, then be recorded again.
  const reset = mock.reset.bind(mock);
  mock.reset = () => {
    Object.defineProperty(recorded.prototype, 'send', {
      value: mock.send,
      writable: true,
      configurable: true,
    });
    reset();
    wrapSend(recorded, service);
    return mock;
  };
  return mock;
};

/** Throws if a test mocked a client with a bare `mockClient()`, hiding its calls from the record. */
export function assertNoUnrecordedMock(): void {
  for (const [client] of CLIENTS) {
    const send = client.prototype.send as unknown as Record<symbol, unknown> & {
      restore?: { sinon?: boolean };
    };
    if (send[RECORDER] !== true && send.restore?.sinon === true)
      throw new Error(
        `${(client as unknown as { name: string }).name} is mocked with mockClient(); use mockAwsClient() from test/support/aws-calls.ts so its calls are recorded.`,
      );
  }
}

/** Writes what this test file recorded into the run's directory. */
export function writeRecordedCalls(directory: string, testFile: string): void {
  mkdirSync(directory, { recursive: true });
  const name = createHash('sha256').update(testFile).digest('hex').slice(0, 16);
  const file: RecordedFile = { testFile, calls: recorded };
  writeFileSync(join(directory, `${name}.json`), JSON.stringify(file, null, 2));
}

/** Everything the run's test files recorded. */
export function readRecordedCalls(directory: string): RecordedFile[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as RecordedFile);
}
