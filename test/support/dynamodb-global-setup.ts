import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/**
 * One DynamoDB Local per test run, shared by every project that lists this global setup.
 * Vitest loads a project's global setup in that project's own module graph, so the shared
 * instance lives on `globalThis` (the main process), counted by the projects that use it:
 * the first starts it, the last teardown stops it (and its Java process).
 */
interface Shared {
  db: Promise<DynamoDbLocal>;
  users: number;
}

const KEY = Symbol.for('linkguard.test.dynamodb-local');
const registry = globalThis as unknown as Record<symbol, Shared | undefined>;

/** Starts DynamoDB Local for the first project that needs it; provides its endpoint to the tests. */
export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  registry[KEY] ??= { db: startDynamoDbLocal(), users: 0 };
  const shared = registry[KEY];
  shared.users++;
  const db = await shared.db;
  project.provide('dynamodbEndpoint', db.endpoint);
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    registry[KEY] = undefined;
    await db.stop();
  };
}
