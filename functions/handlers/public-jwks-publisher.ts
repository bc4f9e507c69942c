import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { parseSigningKeySet, publicJwk } from '../adapters/signing-keys';
import { logger } from '../http/logger';

/** What the custom resource passes in (`lib/constructs/public-signing-keys.ts`). */
interface PublisherProperties {
  ServiceToken: string;
  /** ARN of the signing-key secret. */
  SecretId: string;
  /** `keysRevision`: a new value makes CloudFormation run this again (key rotation). */
  Revision: string;
}

/** What the CDK provider framework expects back from `onEvent`. */
interface ProviderResult {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

const client = new SecretsManagerClient({});

/**
 * `onEvent` of the public-key publisher custom resource (deploy time only, never behind the API).
 *
 * On Create and Update it reads the signing-key secret and answers `Jwks`: the public halves of
 * its keys as a JWKS document, which the stack puts in the environment (`PUBLIC_JWKS`) of the
 * functions that only verify or publish (the authorizer, `/.well-known/jwks.json`). They are
 * never granted the secret. A new `keysRevision` re-runs it, so a rotation republishes the keys.
 * On Delete: nothing. Only `kid`s are logged, never key material.
 */
export const handler = async (event: CloudFormationCustomResourceEvent): Promise<ProviderResult> => {
  const { SecretId: secretId } = event.ResourceProperties as unknown as PublisherProperties;
  const physicalResourceId = `public-jwks:${secretId}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const set = parseSigningKeySet(result.SecretString ?? '', 'the signing-key secret');
  const jwks = JSON.stringify({ keys: set.keys.map(publicJwk) });
  logger.info('public keys published', { kids: set.keys.map((k) => k.kid) });
  return { PhysicalResourceId: physicalResourceId, Data: { Jwks: jwks } };
};
