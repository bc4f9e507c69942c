import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/** Starts DynamoDB Local once per test run and stops it (and its Java process) at the end. */
export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const db = await startDynamoDbLocal();
  project.provide('dynamodbEndpoint', db.endpoint);
  return async () => {
    await db.stop();
  };
}
