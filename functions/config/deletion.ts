import * as z from 'zod/mini';
import { ConfigError, type Env, parseSection } from './read-env';

/** Where account-deletion work goes: SQS in AWS; unset locally, where it runs in-process. */
export interface DeletionQueueSettings {
  queueUrl: string | undefined;
}

/** The `deletionQueue` capability: `DELETION_QUEUE_URL`, required unless the table is DynamoDB Local. */
export function readDeletionQueue(env: Env): DeletionQueueSettings {
  const e = parseSection(env, z.object({ DELETION_QUEUE_URL: z.optional(z.url()) }));
  if (e.DELETION_QUEUE_URL === undefined && env.DYNAMODB_ENDPOINT === undefined)
    throw new ConfigError('Invalid configuration: DELETION_QUEUE_URL is not set');
  return { queueUrl: e.DELETION_QUEUE_URL };
}
