import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Lazy, lazy } from './lazy';

/**
 * The AWS SDK clients of one container, each created once on first use and handed to the
 * adapters that need it. Imported on first use, so that a function that never texts never loads
 * the SNS client (each costs tens of milliseconds of a cold start).
 */
export interface AwsClients {
  sns: Lazy<SNSClient>;
  sqs: Lazy<SQSClient>;
  kms: Lazy<KMSClient>;
  secretsManager: Lazy<SecretsManagerClient>;
}

/**
 * One set of clients for a region (unset in Lambda: the SDK reads it from the environment).
 *
 * @example
 * const clients = awsClients({ region: config.region });
 * const sns = await clients.sns();
 */
export function awsClients(settings: { region?: string | undefined }): AwsClients {
  const options = settings.region === undefined ? {} : { region: settings.region };
  return {
    sns: lazy(async () => new (await import('@aws-sdk/client-sns')).SNSClient(options)),
    sqs: lazy(async () => new (await import('@aws-sdk/client-sqs')).SQSClient(options)),
    kms: lazy(async () => new (await import('@aws-sdk/client-kms')).KMSClient(options)),
    secretsManager: lazy(
      async () => new (await import('@aws-sdk/client-secrets-manager')).SecretsManagerClient(options),
    ),
  };
}
