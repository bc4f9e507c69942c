import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { generateSigningKey, parseSigningKeySet, type SigningKeySet } from '../adapters/signing-keys';
import { logger } from '../http/logger';

/** What the custom resource passes in (`lib/constructs/signing-keys.ts`). */
interface BootstrapProperties {
  ServiceToken: string;
  /** ARN of the signing-key secret. */
  SecretId: string;
}

/** What the CDK provider framework expects back from `onEvent`. */
interface ProviderResult {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

const client = new SecretsManagerClient({});

/**
 * `onEvent` of the signing-key bootstrap custom resource (deploy time only, never behind the API).
 *
 * On Create and Update: when the secret holds no key (the placeholder the stack creates it with,
 * `{"keys":[]}`, or nothing), it writes `{"keys":[key]}` with one new ES256 key. Anything else is
 * left alone, so a redeploy never replaces keys that signed live tokens: rotation is done by hand
 * (docs/deploying.md). A set that is present but invalid is not overwritten either (that would
 * throw away keys a person meant to keep); it is reported in the log, and failing here instead
 * would also fail the update's rollback, which replays this event.
 * On Delete: nothing. The secret belongs to the stateful stack and outlives this resource.
 *
 * Key material is never logged: only the key count and the new key's `kid`.
 */
export const handler = async (event: CloudFormationCustomResourceEvent): Promise<ProviderResult> => {
  const { SecretId: secretId } = event.ResourceProperties as unknown as BootstrapProperties;
  const physicalResourceId = `signing-key-bootstrap:${secretId}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };

  const stored = await readStoredKeys(secretId);
  if (stored.state === 'valid') {
    logger.info('signing keys already present', { keyCount: stored.set.keys.length });
    return { PhysicalResourceId: physicalResourceId, Data: { Kid: stored.set.keys[0]?.kid ?? '' } };
  }
  if (stored.state === 'invalid') {
    logger.error('signing-key secret holds an invalid key set; left unchanged, fix it by hand', {
      problem: stored.problem,
    });
    return { PhysicalResourceId: physicalResourceId, Data: { Kid: '' } };
  }

  const key = await generateSigningKey(new Date());
  await client.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      SecretString: JSON.stringify({ keys: [key] } satisfies SigningKeySet),
      // A retried event writes the same version instead of a second key.
      ClientRequestToken: event.RequestId,
    }),
  );
  logger.info('first signing key written', { kid: key.kid });
  return { PhysicalResourceId: physicalResourceId, Data: { Kid: key.kid } };
};

type StoredKeys =
  | { state: 'empty' }
  | { state: 'valid'; set: SigningKeySet }
  | { state: 'invalid'; problem: string };

/** What the secret holds now. */
async function readStoredKeys(secretId: string): Promise<StoredKeys> {
  const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const text = result.SecretString ?? '';
  if (isPlaceholder(text)) return { state: 'empty' };
  try {
    return { state: 'valid', set: parseSigningKeySet(text, 'the signing-key secret') };
  } catch (error) {
    // parseSigningKeySet's messages are fixed sentences, never built from the secret's content.
    return { state: 'invalid', problem: (error as Error).message };
  }
}

/** Blank, or a JSON document whose `keys` is an empty list. */
function isPlaceholder(text: string): boolean {
  if (text.trim() === '') return true;
  try {
    const keys = (JSON.parse(text) as { keys?: unknown }).keys;
    return Array.isArray(keys) && keys.length === 0;
  } catch {
    return false;
  }
}
