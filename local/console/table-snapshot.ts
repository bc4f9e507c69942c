import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { currentRuntime } from '../../functions/composition/runtime';

/** One stored record, as plain JSON, secrets removed. */
export type StoredRecord = Record<string, unknown> & { entity?: string; pk: string; sk: string };

/** Attributes the console never shows: hashes, ciphertexts, keys. */
const SECRET = /hash|ciphertext|secret|verifier|challenge|pepper|providerToken/i;
/** Records the console never shows: one-time codes (hashed, but still nobody's business). */
const HIDDEN_PK = /^(SMSCODE|AUTHCODE)#/;

/**
 * Every record of the local table. Local-only and deliberately a `Scan`: the deployed code never
 * scans, but DynamoDB Local holds a developer's few hundred records, and the console wants all.
 */
export async function tableSnapshot(): Promise<StoredRecord[]> {
  const { config } = currentRuntime();
  if (config.dynamodbEndpoint === undefined) throw new Error('the console reads DynamoDB Local only');
  const client = new DynamoDBClient({
    endpoint: config.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client);
  try {
    const records: StoredRecord[] = [];
    const pages = paginateScan({ client: documents }, { TableName: config.tableName, ConsistentRead: true });
    for await (const page of pages) {
      for (const raw of page.Items ?? []) {
        const record = raw as StoredRecord;
        if (HIDDEN_PK.test(record.pk)) continue;
        records.push(
          Object.fromEntries(Object.entries(record).filter(([name]) => !SECRET.test(name))) as StoredRecord,
        );
      }
    }
    return records;
  } finally {
    client.destroy();
  }
}
