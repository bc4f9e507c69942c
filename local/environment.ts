import { resolve } from 'node:path';
import { IN_PROCESS_WEBHOOK_QUEUE } from '../functions/config/poller';

/**
 * Where the local runtime keeps what must survive a restart: `.data/` (git-ignored), or
 * `LINKGUARD_DATA_DIR` (the tests' throwaway copies of `npm start` use their own).
 */
export const DATA_DIR = process.env.LINKGUARD_DATA_DIR ?? resolve(import.meta.dirname, '..', '.data');

/**
 * The environment the functions get in local mode: the same variables the CDK stack sets in
 * AWS, pointed at DynamoDB Local and a local key file. Values already set win.
 */
export function localEnvironment(input: { dynamodbEndpoint: string; tableName: string; port: number }) {
  return {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: input.tableName,
    DYNAMODB_ENDPOINT: input.dynamodbEndpoint,
    AWS_REGION: 'us-east-1',
    JWT_ISSUER: `http://localhost:${input.port}`,
    JWT_AUDIENCE: 'linkguard-api',
    SIGNING_KEYS_FILE: resolve(DATA_DIR, 'signing-keys.json'),
    POWERTOOLS_SERVICE_NAME: 'linkguard',
    // The functions' EMF metric lines are for CloudWatch; locally they would only crowd the console.
    POWERTOOLS_METRICS_DISABLED: 'true',
    SMS_TRANSPORT: 'outbox',
    SMS_PEPPER_FILE: resolve(DATA_DIR, 'sms-pepper'),
    TOKEN_KEY_FILE: resolve(DATA_DIR, 'token-key'),
    PLAID_WEBHOOK_URL: `http://localhost:${input.port}/v1/plaid/webhook`,
    // Verified webhooks are processed in-process (local/webhook-worker.ts) instead of from SQS.
    WEBHOOK_QUEUE_URL: IN_PROCESS_WEBHOOK_QUEUE,
  } satisfies Record<string, string>;
}
